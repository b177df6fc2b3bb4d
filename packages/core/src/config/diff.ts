import { isDeepStrictEqual } from "node:util";
import { formatKeyPath, isPlainObject, type KeyPath } from "./key-path.js";

/** Leaf paths whose value differs between two trees. */
export function diffConfigPaths(before: unknown, after: unknown, path: KeyPath = []): string[] {
  if (isDeepStrictEqual(before, after)) return [];
  const beforeObject = isPlainObject(before)
    ? before
    : before === undefined && isPlainObject(after)
      ? {}
      : undefined;
  const afterObject = isPlainObject(after)
    ? after
    : after === undefined && isPlainObject(before)
      ? {}
      : undefined;
  if (beforeObject && afterObject) {
    const keys = new Set([...Object.keys(beforeObject), ...Object.keys(afterObject)]);
    const paths = [...keys].flatMap((key) =>
      diffConfigPaths(beforeObject[key], afterObject[key], [...path, key]),
    );
    return paths.length > 0 ? paths : [formatKeyPath(path) || "(root)"];
  }
  return [formatKeyPath(path) || "(root)"];
}
