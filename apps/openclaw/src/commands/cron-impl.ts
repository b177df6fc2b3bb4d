import type { CronAddFlags } from "./cron.js";
import { type ClientFlags, print, resolveTarget } from "./gateway-local.js";
import { CliError, callGateway, runClient } from "./gateway-rpc.js";

type Job = {
  id: string;
  name: string;
  enabled: boolean;
  schedule: { kind: string; at?: string; everyMs?: number; expr?: string; tz?: string };
  sessionTarget: string;
  payload: { kind: string };
  state: { nextRunAtMs?: number; lastRunAtMs?: number; lastStatus?: string; lastError?: string };
};
type RunEntry = {
  ts: number;
  status: string;
  error?: string;
  summary?: string;
  runAtMs?: number;
  durationMs?: number;
  deliveryStatus?: string;
};

const usage = (message: string) => new CliError(`openclaw cron: ${message}`, 2);
const when = (ms: number | null | undefined) =>
  ms ? new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z") : "-";

function positive(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0)
    throw usage(`${flag} must be a positive number, got "${value}"`);
  return number;
}

/** The schedule from --at / --every / --cron (+ --tz), checked before anything is sent. */
async function scheduleOf(
  flags: CronAddFlags,
  required: boolean,
): Promise<Record<string, unknown> | undefined> {
  const given = [flags.at, flags.every, flags.cron].filter((value) => value !== undefined);
  if (given.length > 1) throw usage("use one of --at, --every, --cron");
  if (!given.length) {
    if (required) throw usage("a schedule is required: --at, --every or --cron");
    if (flags.tz) throw usage("--tz goes with --cron");
    return undefined;
  }
  const cron = await import("@openclaw/core/cron");
  try {
    if (flags.at !== undefined) return { kind: "at", at: cron.parseAt(flags.at, Date.now()) };
    if (flags.every !== undefined) {
      const everyMs = cron.parseDurationMs(flags.every, "m");
      if (!everyMs || everyMs < 1_000) throw usage(`invalid --every "${flags.every}" (use 30s, 10m, 2h, 1d)`);
      return { kind: "every", everyMs };
    }
    const schedule = { kind: "cron" as const, expr: flags.cron!, ...(flags.tz ? { tz: flags.tz } : {}) };
    cron.validateSchedule(schedule);
    return schedule;
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw usage((error as Error).message);
  }
}

/** Payload, session target and delivery from the flags (OpenClaw's `cron add` flags). */
function payloadOf(flags: CronAddFlags, required: boolean): Record<string, unknown> {
  const kinds = [flags.message, flags.systemEvent, flags.command].filter((value) => value !== undefined);
  if (kinds.length > 1) throw usage("use one of --message, --system-event, --command");
  if (!kinds.length) {
    if (required) throw usage("what to run is required: --message, --system-event or --command");
    return {};
  }
  if (flags.deliver && flags.message === undefined)
    throw usage("--deliver goes with --message (an isolated run's reply)");
  if (flags.message !== undefined) {
    if (flags.session === "main")
      throw usage("--message runs in an isolated session; use --system-event for main");
    const timeoutSeconds = positive(flags.timeoutSeconds, "--timeout-seconds");
    return {
      sessionTarget: "isolated",
      wakeMode: "now",
      payload: {
        kind: "agentTurn",
        message: flags.message,
        ...(flags.model ? { model: flags.model } : {}),
        ...(flags.thinking ? { thinking: flags.thinking } : {}),
        ...(timeoutSeconds ? { timeoutSeconds } : {}),
        ...(flags.deliver
          ? { deliver: true, channel: flags.channel ?? "last", ...(flags.to ? { to: flags.to } : {}) }
          : {}),
      },
      ...(flags.deliver && flags.account
        ? {
            delivery: {
              mode: "announce",
              channel: flags.channel ?? "last",
              to: flags.to,
              accountId: flags.account,
            },
          }
        : {}),
    };
  }
  if (flags.session === "isolated") throw usage("--session isolated needs --message");
  const wakeMode = flags.wake ?? "now";
  if (wakeMode !== "now" && wakeMode !== "next-heartbeat")
    throw usage(`--wake must be now or next-heartbeat`);
  if (flags.systemEvent !== undefined)
    return { sessionTarget: "main", wakeMode, payload: { kind: "systemEvent", text: flags.systemEvent } };
  const timeoutSeconds = positive(flags.commandTimeout, "--command-timeout");
  return {
    sessionTarget: "main",
    wakeMode,
    payload: {
      kind: "command",
      argv: ["sh", "-lc", flags.command!],
      ...(timeoutSeconds ? { timeoutSeconds } : {}),
    },
  };
}

function describe(job: Job): string {
  const s = job.schedule;
  const schedule =
    s.kind === "at"
      ? `at ${s.at}`
      : s.kind === "every"
        ? `every ${Math.round((s.everyMs ?? 0) / 1000)}s`
        : `cron ${s.expr}${s.tz ? ` (${s.tz})` : ""}`;
  return schedule;
}

export async function cronStatus(flags: ClientFlags): Promise<void> {
  await runClient(async () => {
    const status = await callGateway<{
      enabled: boolean;
      storePath?: string;
      jobs: number;
      nextWakeAtMs?: number | null;
      storeError?: string;
    }>(resolveTarget(flags), "cron.status", {});
    if (flags.json) return print(JSON.stringify(status, null, 2));
    print(
      [
        `Cron: ${status.enabled ? "enabled" : "disabled (cron.enabled: false or OPENCLAW_SKIP_CRON); jobs will not run automatically"}`,
        `Jobs: ${status.jobs}`,
        `Next wake: ${when(status.nextWakeAtMs)}`,
        `Store: ${status.storePath ?? "-"}`,
        ...(status.storeError ? [`Store error: ${status.storeError} (the last good jobs are in use)`] : []),
      ].join("\n"),
    );
  });
}

export async function cronList(flags: ClientFlags & { all?: boolean }): Promise<void> {
  await runClient(async () => {
    const target = resolveTarget(flags);
    const jobs: Job[] = [];
    for (let offset = 0; ; ) {
      const page = await callGateway<{ jobs: Job[]; hasMore?: boolean; nextOffset?: number | null }>(
        target,
        "cron.list",
        {
          includeDisabled: flags.all === true,
          limit: 200,
          offset,
        },
      );
      jobs.push(...page.jobs);
      if (!page.hasMore || typeof page.nextOffset !== "number") break;
      offset = page.nextOffset;
    }
    if (flags.json) return print(JSON.stringify({ jobs }, null, 2));
    if (!jobs.length)
      return print(flags.all ? "No cron jobs." : "No enabled cron jobs (--all lists disabled ones).");
    const rows = jobs.map((job) => [
      job.id,
      job.name,
      describe(job),
      job.enabled ? when(job.state.nextRunAtMs) : "disabled",
      job.state.lastStatus
        ? `${job.state.lastStatus}${job.state.lastError ? `: ${job.state.lastError}` : ""}`
        : "-",
    ]);
    const header = ["ID", "NAME", "SCHEDULE", "NEXT", "LAST"];
    const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
    const line = (cells: string[]) =>
      cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  ");
    print([line(header), ...rows.map(line)].join("\n"));
  });
}

export async function cronAdd(flags: CronAddFlags): Promise<void> {
  await runClient(async () => {
    const schedule = await scheduleOf(flags, true);
    const body = payloadOf(flags, true);
    if (
      !flags.name &&
      flags.message === undefined &&
      flags.systemEvent === undefined &&
      flags.command === undefined
    )
      throw usage("--name is required");
    const name = flags.name ?? String(flags.message ?? flags.systemEvent ?? flags.command).slice(0, 40);
    const params = {
      name,
      schedule,
      ...body,
      ...(flags.description ? { description: flags.description } : {}),
      ...(flags.agent ? { agentId: flags.agent } : {}),
      ...(flags.disabled ? { enabled: false } : {}),
      ...(flags.deleteAfterRun ? { deleteAfterRun: true } : {}),
    };
    const job = await callGateway<Job>(resolveTarget(flags), "cron.add", params);
    if (flags.json) return print(JSON.stringify(job, null, 2));
    print(
      `Added cron job ${job.id} (${job.name}): ${describe(job)}; next run ${when(job.state.nextRunAtMs)}`,
    );
  });
}

export async function cronEdit(id: string, flags: CronAddFlags): Promise<void> {
  await runClient(async () => {
    if (flags.enable && flags.disable) throw usage("use one of --enable, --disable");
    const schedule = await scheduleOf(flags, false);
    const body = payloadOf(flags, false);
    const patch = {
      ...(flags.name ? { name: flags.name } : {}),
      ...(flags.description ? { description: flags.description } : {}),
      ...(schedule ? { schedule } : {}),
      ...body,
      ...(flags.enable ? { enabled: true } : {}),
      ...(flags.disable ? { enabled: false } : {}),
    };
    if (!Object.keys(patch).length) throw usage("nothing to change (see openclaw cron edit --help)");
    const job = await callGateway<Job>(resolveTarget(flags), "cron.update", { id, patch });
    if (flags.json) return print(JSON.stringify(job, null, 2));
    print(
      `Updated cron job ${job.id} (${job.name}): ${describe(job)}; next run ${when(job.state.nextRunAtMs)}`,
    );
  });
}

export async function cronRemove(id: string, flags: ClientFlags): Promise<void> {
  await runClient(async () => {
    const result = await callGateway<{ removed: boolean }>(resolveTarget(flags), "cron.remove", { id });
    if (flags.json) return print(JSON.stringify(result, null, 2));
    if (!result.removed) throw new CliError(`openclaw cron: no job ${id} (openclaw cron list --all)`);
    print(`Removed cron job ${id}.`);
  });
}

export async function cronEnable(id: string, enabled: boolean, flags: ClientFlags): Promise<void> {
  await runClient(async () => {
    const job = await callGateway<Job>(resolveTarget(flags), "cron.update", { id, patch: { enabled } });
    if (flags.json) return print(JSON.stringify(job, null, 2));
    print(
      `${enabled ? "Enabled" : "Disabled"} cron job ${job.id}${enabled ? `; next run ${when(job.state.nextRunAtMs)}` : ""}.`,
    );
  });
}

export async function cronRun(id: string, flags: ClientFlags & { force?: boolean }): Promise<void> {
  await runClient(async () => {
    const result = await callGateway<{ ran: boolean; reason?: string }>(resolveTarget(flags), "cron.run", {
      id,
      mode: flags.force ? "force" : "due",
    });
    if (flags.json) return print(JSON.stringify(result, null, 2));
    print(
      result.ran
        ? `Started cron job ${id} (openclaw cron runs --id ${id})`
        : `Not run: ${result.reason} (use --force)`,
    );
  });
}

export async function cronRuns(flags: ClientFlags & { id: string; limit?: string }): Promise<void> {
  await runClient(async () => {
    const limit = positive(flags.limit, "--limit");
    const result = await callGateway<{ entries: RunEntry[] }>(resolveTarget(flags), "cron.runs", {
      id: flags.id,
      ...(limit ? { limit: Math.min(5000, Math.floor(limit)) } : {}),
    });
    if (flags.json) return print(JSON.stringify(result, null, 2));
    if (!result.entries.length) return print(`No runs of ${flags.id} yet.`);
    print(
      result.entries
        .map((entry) =>
          [
            when(entry.runAtMs ?? entry.ts),
            entry.status,
            entry.durationMs !== undefined ? `${entry.durationMs}ms` : "",
            entry.deliveryStatus && entry.deliveryStatus !== "not-requested"
              ? `delivery=${entry.deliveryStatus}`
              : "",
            entry.error ? `reason=${entry.error}` : (entry.summary ?? "").replace(/\s+/g, " ").slice(0, 80),
          ]
            .filter(Boolean)
            .join("  "),
        )
        .join("\n"),
    );
  });
}
