import type { StateStore } from "./state-store.js";

/** Read a JSON state file; missing or unreadable ⇒ `fallback` (reported through `onIssue`). */
export async function readJsonState<T>(
  state: StateStore,
  path: string,
  fallback: T,
  onIssue?: (issue: { path: string; message: string }) => void,
): Promise<T> {
  const text = await state.readText(path);
  if (text === undefined || text.trim() === "") return fallback;
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    onIssue?.({ path, message: `unreadable JSON (${(error as Error).message}); using an empty store` });
    return fallback;
  }
}

/** Locked read-modify-write of a JSON state file (atomic, 0600). */
export async function updateJsonState<T, R>(
  state: StateStore,
  path: string,
  fallback: () => T,
  fn: (value: T) => { value: T; result: R; changed?: boolean },
  onIssue?: (issue: { path: string; message: string }) => void,
): Promise<R> {
  const release = await state.lock(path);
  try {
    const current = await readJsonState(state, path, fallback(), onIssue);
    const { value, result, changed = true } = fn(current);
    if (changed) await state.writeText(path, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
    return result;
  } finally {
    await release();
  }
}
