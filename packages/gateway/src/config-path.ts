/** The value at a dotted path (`gateway.auth.token`) of a config object; undefined when absent. */
export function getPath(object: unknown, path: string): unknown {
  let current: unknown = object;
  for (const segment of path.split(".")) {
    if (typeof current !== "object" || current === null || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}
