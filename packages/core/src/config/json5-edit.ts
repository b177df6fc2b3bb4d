// Text-level edits of a JSON5 document that keep everything the edit does not touch: comments,
// key order, quoting, indentation and blank lines. The `json5` library parses but does not keep
// comments, so we scan the text ourselves into a small syntax tree with source offsets, then splice.

import { isPlainObject, type KeyPath } from "./key-path.js";

export type Json5Node =
  | { kind: "object"; start: number; end: number; members: Json5Member[] }
  | { kind: "array"; start: number; end: number; items: Json5Node[]; commas: number[] }
  | { kind: "scalar"; start: number; end: number };

export interface Json5Member {
  key: string;
  keyStart: number;
  value: Json5Node;
  /** Offset just after the comma following the value, if any. */
  commaEnd?: number;
}

class Scanner {
  index = 0;
  constructor(readonly text: string) {}

  fail(message: string): never {
    throw new SyntaxError(`${message} at offset ${this.index}`);
  }

  skip(): void {
    const text = this.text;
    for (;;) {
      const char = text[this.index];
      if (char === undefined) return;
      if (/\s|\uFEFF/.test(char)) {
        this.index++;
      } else if (char === "/" && text[this.index + 1] === "/") {
        while (this.index < text.length && text[this.index] !== "\n") this.index++;
      } else if (char === "/" && text[this.index + 1] === "*") {
        const end = text.indexOf("*/", this.index + 2);
        if (end < 0) this.fail("unterminated comment");
        this.index = end + 2;
      } else return;
    }
  }

  string(): string {
    const quote = this.text[this.index]!;
    const start = this.index;
    this.index++;
    while (this.index < this.text.length) {
      const char = this.text[this.index]!;
      if (char === "\\") this.index += 2;
      else if (char === quote) {
        this.index++;
        return this.text.slice(start, this.index);
      } else this.index++;
    }
    return this.fail("unterminated string");
  }

  value(): Json5Node {
    this.skip();
    const start = this.index;
    const char = this.text[this.index];
    if (char === "{") return this.object();
    if (char === "[") return this.array();
    if (char === '"' || char === "'") {
      this.string();
      return { kind: "scalar", start, end: this.index };
    }
    while (this.index < this.text.length && !/[\s,\]}/]/.test(this.text[this.index]!)) this.index++;
    if (this.index === start) this.fail("expected a value");
    return { kind: "scalar", start, end: this.index };
  }

  object(): Json5Node {
    const start = this.index;
    this.index++;
    const members: Json5Member[] = [];
    for (;;) {
      this.skip();
      if (this.text[this.index] === "}") {
        this.index++;
        return { kind: "object", start, end: this.index, members };
      }
      const keyStart = this.index;
      let key: string;
      const char = this.text[this.index];
      if (char === '"' || char === "'") key = decodeString(this.string());
      else {
        while (this.index < this.text.length && /[^\s:]/.test(this.text[this.index]!)) this.index++;
        key = this.text.slice(keyStart, this.index);
        if (key === "") this.fail("expected a key");
      }
      this.skip();
      if (this.text[this.index] !== ":") this.fail("expected ':'");
      this.index++;
      const value = this.value();
      const member: Json5Member = { key, keyStart, value };
      members.push(member);
      this.skip();
      if (this.text[this.index] === ",") {
        this.index++;
        member.commaEnd = this.index;
      } else if (this.text[this.index] !== "}") this.fail("expected ',' or '}'");
    }
  }

  array(): Json5Node {
    const start = this.index;
    this.index++;
    const items: Json5Node[] = [];
    const commas: number[] = [];
    for (;;) {
      this.skip();
      if (this.text[this.index] === "]") {
        this.index++;
        return { kind: "array", start, end: this.index, items, commas };
      }
      items.push(this.value());
      this.skip();
      if (this.text[this.index] === ",") {
        this.index++;
        commas.push(this.index);
      } else if (this.text[this.index] !== "]") this.fail("expected ',' or ']'");
    }
  }
}

function decodeString(literal: string): string {
  const body = literal.slice(1, -1);
  if (!body.includes("\\")) return body;
  return body.replace(/\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|\r?\n|.)/g, (_match, sequence: string) => {
    if (sequence.startsWith("u") || sequence.startsWith("x"))
      return String.fromCharCode(Number.parseInt(sequence.slice(1), 16));
    if (sequence === "\n" || sequence === "\r\n") return "";
    return (
      ({ n: "\n", t: "\t", r: "\r", b: "\b", f: "\f", v: "\v", "0": "\0" } as Record<string, string>)[
        sequence
      ] ?? sequence
    );
  });
}

/** Parse JSON5 text into nodes with offsets. Throws SyntaxError on text JSON5 would reject. */
export function parseJson5Tree(text: string): Json5Node {
  const scanner = new Scanner(text);
  const root = scanner.value();
  scanner.skip();
  if (scanner.index < text.length) scanner.fail("unexpected trailing content");
  return root;
}

interface Style {
  indentUnit: string;
  quoteKeys: boolean;
  trailingCommas: boolean;
  newline: string;
}

function detectStyle(text: string, root: Json5Node): Style {
  const newline = text.includes("\r\n") ? "\r\n" : "\n";
  let indentUnit = "  ";
  const indented = /\n([ \t]+)\S/.exec(text);
  if (indented)
    indentUnit = indented[1]!.startsWith("\t")
      ? "\t"
      : indented[1]!.length >= 4 && indented[1]!.length % 4 === 0
        ? "    "
        : "  ";
  let quoteKeys = false;
  let trailingCommas = true;
  if (root.kind === "object" && root.members.length > 0) {
    quoteKeys = text[root.members[0]!.keyStart] === '"';
    // strict JSON style (quoted keys, no trailing comma on the last member) stays strict
    const last = root.members[root.members.length - 1]!;
    trailingCommas = last.commaEnd !== undefined || !quoteKeys;
  }
  return { indentUnit, quoteKeys, trailingCommas, newline };
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function formatKey(key: string, style: Style): string {
  return !style.quoteKeys && IDENTIFIER.test(key) ? key : JSON.stringify(key);
}

/** Serialize a value in the document's style; `indent` is the indentation of the line it starts on. */
export function formatValue(value: unknown, indent: string, style: Style): string {
  if (value === undefined) return "null";
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    const simple = value.every((item) => !isPlainObject(item) && !Array.isArray(item));
    const inline = `[${value.map((item) => formatValue(item, indent, style)).join(", ")}]`;
    if (simple && inline.length <= 80) return inline;
    const inner = indent + style.indentUnit;
    const lines = value.map((item) => `${inner}${formatValue(item, inner, style)}`);
    return `[${style.newline}${lines.join(`,${style.newline}`)}${style.trailingCommas ? "," : ""}${style.newline}${indent}]`;
  }
  if (isPlainObject(value)) {
    const entries = Object.entries(value).filter(([, child]) => child !== undefined);
    if (entries.length === 0) return "{}";
    const inner = indent + style.indentUnit;
    const lines = entries.map(
      ([key, child]) => `${inner}${formatKey(key, style)}: ${formatValue(child, inner, style)}`,
    );
    return `{${style.newline}${lines.join(`,${style.newline}`)}${style.trailingCommas ? "," : ""}${style.newline}${indent}}`;
  }
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  return JSON.stringify(value) ?? "null";
}

function lineIndentAt(text: string, offset: number): string {
  const lineStart = text.lastIndexOf("\n", offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))![0];
}

function splice(text: string, start: number, end: number, insert: string): string {
  return text.slice(0, start) + insert + text.slice(end);
}

function nest(path: KeyPath, value: unknown): unknown {
  let out = value;
  for (let index = path.length - 1; index >= 0; index--) {
    const segment = path[index]!;
    out = typeof segment === "number" ? [out] : { [segment]: out };
  }
  return out;
}

export class Json5EditError extends Error {
  override name = "Json5EditError";
}

/** Set `path` to `value` in the document text, creating missing objects. */
export function setJson5Value(text: string, path: KeyPath, value: unknown): string {
  const source = text.trim() === "" ? "{}\n" : text;
  const root = parseJson5Tree(source);
  const style = detectStyle(source, root);
  if (path.length === 0) return `${formatValue(value, "", style)}${style.newline}`;
  let node = root;
  for (let depth = 0; depth < path.length; depth++) {
    const segment = path[depth]!;
    const rest = path.slice(depth + 1);
    if (node.kind === "object") {
      if (typeof segment !== "string") throw new Json5EditError(`cannot index an object with [${segment}]`);
      // JSON5.parse keeps the last duplicate key, so edit the last one
      const member = [...node.members].reverse().find((candidate) => candidate.key === segment);
      if (member) {
        node = member.value;
        continue;
      }
      return insertMember(source, node, segment, nest(rest, value), style);
    }
    if (node.kind === "array") {
      if (typeof segment !== "number") throw new Json5EditError(`cannot set key "${segment}" on an array`);
      if (segment < node.items.length) {
        node = node.items[segment]!;
        continue;
      }
      if (segment === node.items.length) return appendItem(source, node, nest(rest, value), style);
      throw new Json5EditError(`index ${segment} is past the end of an array of ${node.items.length}`);
    }
    throw new Json5EditError(
      `cannot set "${String(segment)}" inside a ${source.slice(node.start, node.end)} value`,
    );
  }
  const indent = lineIndentAt(source, node.start);
  return splice(source, node.start, node.end, formatValue(value, indent, style));
}

function insertMember(
  text: string,
  object: Json5Node & { kind: "object" },
  key: string,
  value: unknown,
  style: Style,
): string {
  const members = object.members;
  const objectIndent = lineIndentAt(text, object.start);
  if (members.length === 0) {
    const inner = objectIndent + style.indentUnit;
    const body = `${inner}${formatKey(key, style)}: ${formatValue(value, inner, style)}${style.trailingCommas ? "," : ""}`;
    return splice(text, object.start, object.end, `{${style.newline}${body}${style.newline}${objectIndent}}`);
  }
  const last = members[members.length - 1]!;
  const multiline = text.slice(object.start, object.end).includes("\n");
  if (!multiline) {
    // inline object: `{ a: 1 }` → `{ a: 1, key: value }`
    const insertAt = last.commaEnd ?? last.value.end;
    const lead = last.commaEnd ? " " : ", ";
    return splice(
      text,
      insertAt,
      insertAt,
      `${lead}${formatKey(key, style)}: ${formatValue(value, objectIndent, style)}`,
    );
  }
  const memberIndent = lineIndentAt(text, last.keyStart);
  let out = text;
  let insertAt = last.commaEnd ?? last.value.end;
  if (last.commaEnd === undefined) {
    out = splice(out, insertAt, insertAt, ",");
    insertAt += 1;
  }
  // a line comment after the last member stays on that member's line
  const comment = /^[ \t]*\/\/[^\n]*/.exec(out.slice(insertAt));
  if (comment) insertAt += comment[0].length;
  const body = `${style.newline}${memberIndent}${formatKey(key, style)}: ${formatValue(value, memberIndent, style)}${style.trailingCommas ? "," : ""}`;
  return splice(out, insertAt, insertAt, body);
}

function appendItem(
  text: string,
  array: Json5Node & { kind: "array" },
  value: unknown,
  style: Style,
): string {
  const arrayIndent = lineIndentAt(text, array.start);
  if (array.items.length === 0)
    return splice(text, array.start, array.end, formatValue([value], arrayIndent, style));
  const last = array.items[array.items.length - 1]!;
  const lastComma =
    array.commas.length === array.items.length ? array.commas[array.commas.length - 1] : undefined;
  const multiline = text.slice(array.start, array.end).includes("\n");
  if (!multiline) {
    const insertAt = lastComma ?? last.end;
    return splice(
      text,
      insertAt,
      insertAt,
      `${lastComma ? " " : ", "}${formatValue(value, arrayIndent, style)}`,
    );
  }
  const itemIndent = lineIndentAt(text, last.start);
  const insertAt = lastComma ?? last.end;
  const body = `${lastComma ? "" : ","}${style.newline}${itemIndent}${formatValue(value, itemIndent, style)}${style.trailingCommas ? "," : ""}`;
  return splice(text, insertAt, insertAt, body);
}

/** Remove `path` from the document text. Returns the text unchanged when the path is absent. */
export function unsetJson5Value(text: string, path: KeyPath): string {
  if (text.trim() === "" || path.length === 0) return text;
  const root = parseJson5Tree(text);
  let node = root;
  for (let depth = 0; depth < path.length - 1; depth++) {
    const segment = path[depth]!;
    if (node.kind === "object" && typeof segment === "string") {
      const member = [...node.members].reverse().find((candidate) => candidate.key === segment);
      if (!member) return text;
      node = member.value;
    } else if (node.kind === "array" && typeof segment === "number") {
      const item = node.items[segment];
      if (!item) return text;
      node = item;
    } else return text;
  }
  const last = path[path.length - 1]!;
  if (node.kind === "object" && typeof last === "string") {
    let out = text;
    // remove every duplicate so the key is really gone; right to left keeps offsets valid
    const indexes = node.members.flatMap((member, index) => (member.key === last ? [index] : [])).reverse();
    for (const index of indexes) out = removeEntry(out, node.members.map(memberSpan), index);
    return out;
  }
  if (node.kind === "array" && typeof last === "number" && last < node.items.length) {
    const spans = node.items.map((item, index) => ({
      start: item.start,
      valueEnd: item.end,
      commaEnd: node.kind === "array" && node.commas[index] !== undefined ? node.commas[index] : undefined,
    }));
    return removeEntry(text, spans, last);
  }
  return text;
}

interface EntrySpan {
  start: number;
  valueEnd: number;
  commaEnd?: number;
}

function memberSpan(member: Json5Member): EntrySpan {
  return { start: member.keyStart, valueEnd: member.value.end, commaEnd: member.commaEnd };
}

function removeEntry(text: string, spans: EntrySpan[], index: number): string {
  const span = spans[index]!;
  const lineStart = text.lastIndexOf("\n", span.start - 1) + 1;
  const ownLine = /^[ \t]*$/.test(text.slice(lineStart, span.start));
  if (span.commaEnd !== undefined) {
    let end = span.commaEnd;
    if (ownLine) {
      const lineEnd = text.indexOf("\n", end);
      const rest = text.slice(end, lineEnd < 0 ? text.length : lineEnd);
      if (/^[ \t]*(\/\/.*)?\r?$/.test(rest)) end = lineEnd < 0 ? text.length : lineEnd + 1;
      return splice(text, lineStart, end, "");
    }
    while (text[end] === " " || text[end] === "\t") end++;
    return splice(text, span.start, end, "");
  }
  // last entry without a trailing comma
  if (index > 0) {
    const previous = spans[index - 1]!;
    if (ownLine) {
      // drop this whole line; the previous entry's comma (if any) is a legal trailing comma
      let end = span.valueEnd;
      const lineEnd = text.indexOf("\n", end);
      const rest = text.slice(end, lineEnd < 0 ? text.length : lineEnd);
      if (/^[ \t]*(\/\/.*)?\r?$/.test(rest)) end = lineEnd < 0 ? text.length : lineEnd + 1;
      return splice(text, lineStart, end, "");
    }
    return splice(
      text,
      previous.commaEnd !== undefined ? previous.commaEnd - 1 : previous.valueEnd,
      span.valueEnd,
      "",
    );
  }
  if (ownLine) {
    let end = span.valueEnd;
    const lineEnd = text.indexOf("\n", end);
    const rest = text.slice(end, lineEnd < 0 ? text.length : lineEnd);
    if (/^[ \t]*(\/\/.*)?\r?$/.test(rest)) end = lineEnd < 0 ? text.length : lineEnd + 1;
    return splice(text, lineStart, end, "");
  }
  let end = span.valueEnd;
  while (text[end] === " " || text[end] === "\t") end++;
  return splice(text, span.start, end, "");
}

/**
 * 1-based line where `path` (`agents.defaults.timeoutSeconds`, `agents.list[0].id`) is written in
 * JSON5 `text`, or of its closest written ancestor; undefined when the text does not parse.
 */
export function lineOfKeyPath(text: string, path: KeyPath): number | undefined {
  let root: Json5Node;
  try {
    root = parseJson5Tree(text);
  } catch {
    return undefined;
  }
  let node: Json5Node = root;
  let offset: number | undefined;
  for (const segment of path) {
    if (node.kind === "object" && typeof segment === "string") {
      const member = node.members.find((candidate) => candidate.key === segment);
      if (!member) break;
      offset = member.keyStart;
      node = member.value;
    } else if (node.kind === "array" && typeof segment === "number" && node.items[segment]) {
      node = node.items[segment];
      offset = node.start;
    } else break;
  }
  if (offset === undefined) return undefined;
  return text.slice(0, offset).split("\n").length;
}
