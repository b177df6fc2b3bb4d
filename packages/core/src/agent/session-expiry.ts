/** `session.reset` (+ legacy `session.idleMinutes`) as read by the runtime. */
export interface SessionResetConfig {
  reset?: { mode?: "daily" | "idle" | string; atHour?: number; idleMinutes?: number };
  idleMinutes?: number;
}

/** The latest `atHour:00` local time at or before `now`. */
export function lastDailyBoundary(now: number, atHour: number): number {
  const date = new Date(now);
  const boundary = new Date(date.getFullYear(), date.getMonth(), date.getDate(), atHour, 0, 0, 0).getTime();
  return boundary <= now ? boundary : boundary - 24 * 60 * 60_000;
}

/**
 * Whether a session is stale on the next inbound message (spec §5.3): daily reset at
 * `atHour` (default 4, local time) and/or an idle window, whichever comes first. Daily is the
 * default mode; `mode: "idle"` alone disables the daily reset.
 */
export function isSessionExpired(
  updatedAt: number | undefined,
  config: SessionResetConfig | undefined,
  now: number,
): boolean {
  if (!updatedAt) return false;
  const reset = config?.reset ?? {};
  const idleMinutes = reset.idleMinutes ?? config?.idleMinutes;
  if (idleMinutes !== undefined && now - updatedAt > idleMinutes * 60_000) return true;
  if (reset.mode === "idle") return false;
  return updatedAt < lastDailyBoundary(now, reset.atHour ?? 4);
}
