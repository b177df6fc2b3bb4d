import type { Assistant } from "../assistant.js";

/**
 * Runs started by gateway methods (`chat.send`, `agent`, `wake`) that answer before the run
 * ends, per assistant, so a shutdown can wait for them (bounded by the gateway).
 */
const inflight = new WeakMap<Assistant, Set<Promise<unknown>>>();

/** Remember a run until it settles. */
export function trackRun(assistant: Assistant, result: Promise<unknown>): void {
  let runs = inflight.get(assistant);
  if (!runs) {
    runs = new Set();
    inflight.set(assistant, runs);
  }
  const set = runs;
  const settled: Promise<unknown> = result.catch(() => undefined).finally(() => set.delete(settled));
  set.add(settled);
}

/** Resolves when every run tracked for `assistant` has settled. */
export async function drainRuns(assistant: Assistant): Promise<void> {
  await Promise.all([...(inflight.get(assistant) ?? [])]);
}
