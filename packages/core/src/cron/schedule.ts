import { Cron } from "croner";
import type { CronSchedule } from "./types.js";

/** A schedule the user gave that cannot run (bad expression, zone, duration or time). */
export class CronInputError extends Error {
  readonly code = "INVALID_REQUEST";
  constructor(message: string) {
    super(message);
    this.name = "CronInputError";
  }
}

const UNITS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  sec: 1_000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/**
 * `30s`, `20m`, `1h30m`, `2d`, `500ms`; a bare number is in `defaultUnit` (minutes for
 * heartbeat `every`, like OpenClaw). Returns undefined when the text is not a duration.
 */
export function parseDurationMs(input: string | number, defaultUnit = "m"): number | undefined {
  if (typeof input === "number")
    return Number.isFinite(input) && input >= 0 ? input * UNITS[defaultUnit]! : undefined;
  const text = input.trim().toLowerCase();
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * UNITS[defaultUnit]!;
  let total = 0;
  let rest = text;
  while (rest) {
    const match = /^(\d+(?:\.\d+)?)\s*(ms|sec|min|s|m|h|d|w)\s*/.exec(rest);
    if (!match) return undefined;
    total += Number(match[1]) * UNITS[match[2]!]!;
    rest = rest.slice(match[0].length);
  }
  return total;
}

/** Throws {@link CronInputError} unless `tz` is an IANA zone this runtime knows. */
export function assertTimeZone(tz: string): void {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
  } catch {
    throw new CronInputError(`invalid timezone "${tz}" (use an IANA name such as Europe/Paris)`);
  }
}

/**
 * `--at`: an ISO time (without a zone it means UTC), epoch milliseconds, or a delay from now
 * (`+20m`, `20m`). Returns the ISO string stored in the job.
 */
export function parseAt(input: string, now: number): string {
  const text = input.trim();
  const relative = parseDurationMs(text.startsWith("+") ? text.slice(1) : text, "m");
  if (relative !== undefined && (text.startsWith("+") || /[a-z]$/i.test(text)) && relative > 0)
    return new Date(now + relative).toISOString();
  if (/^\d{10,}$/.test(text)) return new Date(Number(text)).toISOString();
  const iso = /[zZ]|[+-]\d\d:?\d\d$/.test(text) || !/T|\d:\d/.test(text) ? text : `${text}Z`;
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms))
    throw new CronInputError(
      `invalid --at "${input}" (use an ISO time such as 2026-01-12T18:00:00Z, or +20m)`,
    );
  return new Date(ms).toISOString();
}

function cronOf(expr: string, tz: string | undefined): Cron {
  try {
    return new Cron(expr, { paused: true, mode: "5-or-6-parts", ...(tz ? { timezone: tz } : {}) });
  } catch (error) {
    throw new CronInputError(
      `invalid cron expression "${expr}": ${error instanceof Error ? error.message.replace(/^CronPattern:\s*/, "") : String(error)}`,
    );
  }
}

/** Throws {@link CronInputError} for a schedule that cannot run. */
export function validateSchedule(schedule: CronSchedule): void {
  if (schedule.kind === "at") {
    const at =
      schedule.at ?? (schedule.atMs !== undefined ? new Date(schedule.atMs).toISOString() : undefined);
    if (!at || !Number.isFinite(Date.parse(at)))
      throw new CronInputError("an `at` schedule needs a valid time");
    return;
  }
  if (schedule.kind === "every") {
    if (!(schedule.everyMs >= 1_000)) throw new CronInputError("an `every` schedule needs at least 1s");
    return;
  }
  if (schedule.tz) assertTimeZone(schedule.tz);
  if (cronOf(schedule.expr, schedule.tz).nextRun() === null)
    throw new CronInputError(`cron expression "${schedule.expr}" never fires`);
}

/** When an `at` job is due (ISO without a zone = UTC). */
export function atTime(schedule: Extract<CronSchedule, { kind: "at" }>): number | undefined {
  if (schedule.atMs !== undefined) return schedule.atMs;
  if (!schedule.at) return undefined;
  const text = /[zZ]|[+-]\d\d:?\d\d$/.test(schedule.at) ? schedule.at : `${schedule.at}Z`;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * The first time strictly after `afterMs` the schedule fires (undefined: never again). `every`
 * runs on its anchor's grid (`anchorMs`, else the job's creation), so a restart or a late tick
 * does not shift it; missed slots are not returned one by one (the caller coalesces them).
 */
export function nextRunAfter(
  schedule: CronSchedule,
  afterMs: number,
  createdAtMs: number,
): number | undefined {
  if (schedule.kind === "at") {
    const at = atTime(schedule);
    return at !== undefined && at > afterMs ? at : undefined;
  }
  if (schedule.kind === "every") {
    const anchor = schedule.anchorMs ?? createdAtMs;
    if (afterMs < anchor) return anchor;
    const slots = Math.floor((afterMs - anchor) / schedule.everyMs) + 1;
    return anchor + slots * schedule.everyMs;
  }
  const key = `${schedule.expr}|${schedule.tz ?? ""}|${afterMs}`;
  let next = nextCache.get(key);
  if (next === undefined) {
    next = cronOf(schedule.expr, schedule.tz).nextRun(new Date(afterMs))?.getTime() ?? null;
    if (nextCache.size >= 5_000) nextCache.clear();
    nextCache.set(key, next);
  }
  if (next === null) return undefined;
  return next + (schedule.staggerMs ?? 0);
}

/**
 * Next fire times by expression, zone and start time: jobs sharing a schedule are planned
 * together (at start every job is planned from the same instant), and croner's zone
 * conversion is the costly part.
 */
const nextCache = new Map<string, number | null>();

/** One line for `cron list`: `at 2026-…`, `every 10m`, `cron 0 9 * * * (Europe/Paris)`. */
export function describeSchedule(schedule: CronSchedule): string {
  if (schedule.kind === "at") return `at ${schedule.at ?? new Date(schedule.atMs ?? 0).toISOString()}`;
  if (schedule.kind === "every") return `every ${formatDuration(schedule.everyMs)}`;
  return `cron ${schedule.expr}${schedule.tz ? ` (${schedule.tz})` : ""}`;
}

export function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ["d", 86_400_000],
    ["h", 3_600_000],
    ["m", 60_000],
    ["s", 1_000],
  ] as const)
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}
