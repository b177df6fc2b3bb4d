import { type ClientFlags, print, resolveTarget } from "./gateway-local.js";
import { CliError, callGateway, runClient } from "./gateway-rpc.js";

type Heartbeat = {
  ts: number;
  status: string;
  reason?: string;
  agentId?: string;
  channel?: string;
  to?: string;
  preview?: string;
};

export async function heartbeatLast(flags: ClientFlags): Promise<void> {
  await runClient(async () => {
    const last = await callGateway<Heartbeat | null>(resolveTarget(flags), "last-heartbeat", {});
    if (flags.json) return print(JSON.stringify(last, null, 2));
    if (!last) return print("No heartbeat yet.");
    print(
      [
        `${new Date(last.ts).toISOString()}  ${last.status}${last.reason ? ` reason=${last.reason}` : ""}`,
        ...(last.agentId ? [`agent: ${last.agentId}`] : []),
        ...(last.channel ? [`target: ${last.channel}${last.to ? `:${last.to}` : ""}`] : []),
        ...(last.preview ? [`preview: ${last.preview}`] : []),
      ].join("\n"),
    );
  });
}

export async function heartbeatSet(enabled: boolean, flags: ClientFlags): Promise<void> {
  await runClient(async () => {
    const result = await callGateway<{ enabled: boolean }>(resolveTarget(flags), "set-heartbeats", {
      enabled,
    });
    if (flags.json) return print(JSON.stringify(result, null, 2));
    print(
      `Heartbeats ${result.enabled ? "enabled" : "disabled"} (until the gateway restarts; agents.defaults.heartbeat.every: "0" disables them for good).`,
    );
  });
}

export async function systemEvent(flags: ClientFlags & { text: string; mode: string }): Promise<void> {
  await runClient(async () => {
    if (flags.mode !== "now" && flags.mode !== "next-heartbeat")
      throw new CliError(
        `openclaw system event: --mode must be now or next-heartbeat, got "${flags.mode}"`,
        2,
      );
    if (!flags.text.trim()) throw new CliError("openclaw system event: --text must not be empty", 2);
    const result = await callGateway<{ sessionKey?: string; queued?: number }>(resolveTarget(flags), "wake", {
      text: flags.text,
      mode: flags.mode,
    });
    if (flags.json) return print(JSON.stringify(result, null, 2));
    print(
      flags.mode === "now"
        ? `System event sent to ${result.sessionKey ?? "the main session"}; a heartbeat runs now.`
        : `System event queued for ${result.sessionKey ?? "the main session"} (${result.queued ?? 1} waiting for the next heartbeat).`,
    );
  });
}
