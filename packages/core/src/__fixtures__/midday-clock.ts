/**
 * A clock for tests: noon on a fixed day, advancing with real time, so a test never crosses the
 * daily session reset (4:00 local time) whatever time the suite runs at.
 */
export function middayClock(): { now(): number } {
  const noon = new Date(2026, 10, 20, 12, 0, 0).getTime();
  const started = performance.now();
  return { now: () => noon + Math.round(performance.now() - started) };
}
