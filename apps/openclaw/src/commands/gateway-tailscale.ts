import { spawnSync } from "node:child_process";
import { whichSync } from "@openclaw/exec-approvals";
import { get } from "./gateway-local.js";

// `openclaw gateway --tailscale serve|funnel` (gateway.tailscale.mode): the gateway stays on
// loopback and Tailscale publishes it over HTTPS — Serve to the tailnet, Funnel to the internet —
// by running the tailscale CLI once the listener is up (docs/gateway.md "Tailscale").

export type TailscaleMode = "off" | "serve" | "funnel";
const MODES: TailscaleMode[] = ["off", "serve", "funnel"];
const MAC_APP_CLI = "/Applications/Tailscale.app/Contents/MacOS/Tailscale";

export interface TailscalePlan {
  mode: Exclude<TailscaleMode, "off">;
  bin: string;
  resetOnExit: boolean;
}

function findTailscale(env: NodeJS.ProcessEnv): string | undefined {
  const found = whichSync("tailscale", { path: env.PATH ?? "" });
  if (found || process.platform !== "darwin") return found;
  return whichSync(MAC_APP_CLI);
}

/**
 * What `--tailscale` (or gateway.tailscale.mode) asks for, checked before the gateway starts:
 * undefined for off, an error message when it cannot be done as configured.
 */
export function planTailscale(
  flags: { tailscale?: string; bind?: string; auth?: string },
  config: Record<string, unknown>,
  env: NodeJS.ProcessEnv = process.env,
): TailscalePlan | string | undefined {
  const mode = (flags.tailscale ?? get(config, "gateway.tailscale.mode") ?? "off") as TailscaleMode;
  if (!MODES.includes(mode)) return `invalid --tailscale ${mode} (expected off, serve or funnel)`;
  if (mode === "off") return undefined;
  const bind = flags.bind ?? (get(config, "gateway.bind") as string | undefined) ?? "loopback";
  if (bind !== "loopback")
    return `--tailscale ${mode} publishes a loopback gateway: drop --bind ${bind} (gateway.bind must be loopback)`;
  const auth = flags.auth ?? (get(config, "gateway.auth.mode") as string | undefined) ?? "token";
  if (mode === "funnel" && auth !== "password")
    return "--tailscale funnel opens the gateway to the whole internet: it needs password auth (--auth password --password …, or gateway.auth.mode password)";
  const bin = findTailscale(env);
  if (!bin)
    return `tailscale is not installed: install it (https://tailscale.com/download), run \`tailscale up\`, then \`openclaw gateway --tailscale ${mode}\` again`;
  return { mode, bin, resetOnExit: get(config, "gateway.tailscale.resetOnExit") === true };
}

function run(bin: string, args: string[]): { ok: boolean; out: string; err: string } {
  const result = spawnSync(bin, args, { encoding: "utf8", timeout: 30_000 });
  const err = ((result.stderr ?? "").trim() || String(result.error ?? "")).split("\n")[0] ?? "";
  return { ok: result.status === 0, out: (result.stdout ?? "").trim(), err };
}

/**
 * Publish the gateway's port: `tailscale serve|funnel --bg <port>`. Returns the line to print
 * (the https URL on the tailnet's MagicDNS name, or why it did not work; the gateway keeps
 * running on loopback either way).
 */
export function publishTailscale(plan: TailscalePlan, port: number): { ok: boolean; line: string } {
  const published = run(plan.bin, [plan.mode, "--bg", String(port)]);
  const label = plan.mode === "serve" ? "Tailscale Serve" : "Tailscale Funnel";
  if (!published.ok)
    return {
      ok: false,
      line: `${label} failed: ${published.err || "tailscale exited with an error"} (the gateway stays on loopback; check \`tailscale status\`)`,
    };
  let host: string | undefined;
  const status = run(plan.bin, ["status", "--json"]);
  try {
    const name = (JSON.parse(status.out) as { Self?: { DNSName?: string } }).Self?.DNSName;
    host = name?.replace(/\.$/, "") || undefined;
  } catch {
    // no JSON: the URL is not known, the publication still holds
  }
  return { ok: true, line: `${label}: ${host ? `https://${host}/` : "on (see `tailscale serve status`)"}` };
}

/** gateway.tailscale.resetOnExit: remove what this gateway published. */
export function resetTailscale(plan: TailscalePlan): void {
  if (plan.resetOnExit) run(plan.bin, [plan.mode, "reset"]);
}
