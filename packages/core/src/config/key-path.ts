/** A parsed key path: object keys are strings, array indexes numbers. */
export type KeyPath = (string | number)[];

/**
 * Parse `gateway.auth.token`, `agents.list[0].id`, `channels.telegram.groups["-100"].requireMention`
 * or `models.providers."my.host".baseUrl` into segments.
 */
export function parseKeyPath(text: string): KeyPath {
  const segments: KeyPath = [];
  let index = 0;
  const length = text.length;
  const fail = (why: string): never => {
    throw new SyntaxError(`invalid key path "${text}": ${why}`);
  };
  let expectSegment = true;
  while (index < length) {
    const char = text[index]!;
    if (char === ".") {
      if (expectSegment) fail(`empty segment at ${index}`);
      expectSegment = true;
      index++;
      continue;
    }
    if (char === "[") {
      const close = text.indexOf("]", index);
      if (close < 0) fail("unclosed [");
      const inner = text.slice(index + 1, close).trim();
      if (/^\d+$/.test(inner)) segments.push(Number(inner));
      else if (/^(["']).*\1$/.test(inner)) segments.push(inner.slice(1, -1));
      else fail(`bad index [${inner}]`);
      index = close + 1;
      expectSegment = false;
      continue;
    }
    if (!expectSegment) fail(`expected "." at ${index}`);
    if (char === '"' || char === "'") {
      const close = text.indexOf(char, index + 1);
      if (close < 0) fail("unclosed quote");
      segments.push(text.slice(index + 1, close));
      index = close + 1;
    } else {
      let end = index;
      while (end < length && text[end] !== "." && text[end] !== "[") end++;
      segments.push(text.slice(index, end));
      index = end;
    }
    expectSegment = false;
  }
  if (expectSegment && segments.length > 0) fail("trailing dot");
  return segments;
}

const PLAIN = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** Inverse of `parseKeyPath`; the form used in every message. */
export function formatKeyPath(path: readonly (string | number | symbol)[]): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else {
      const key = String(segment);
      if (PLAIN.test(key)) out += out === "" ? key : `.${key}`;
      else out += `[${JSON.stringify(key)}]`;
    }
  }
  return out;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Read a value at a path (undefined when any step is missing). */
export function getAtPath(root: unknown, path: KeyPath): unknown {
  let current: unknown = root;
  for (const segment of path) {
    if (typeof segment === "number") {
      if (!Array.isArray(current)) return undefined;
      current = current[segment];
    } else {
      if (!isPlainObject(current)) return undefined;
      if (!Object.hasOwn(current, segment)) return undefined;
      current = current[segment];
    }
  }
  return current;
}
