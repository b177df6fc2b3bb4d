import { createHash } from "node:crypto";
import {
  existsSync,
  type FSWatcher,
  mkdirSync,
  readFileSync,
  renameSync,
  watch,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname } from "node:path";
import type { ConfigSnapshot, GatewayConfigStore, JsonObject } from "./types.js";
import { GatewayMethodError } from "./types.js";

// json5 (and its large Unicode tables) loads on the first parse, not with the gateway: a gateway
// started by the CLI gets its config from core's store and never parses config text here.
let json5: typeof import("json5") | undefined;
const JSON5 = {
  parse: (text: string): unknown => {
    json5 ??= createRequire(import.meta.url)("json5") as typeof import("json5");
    return json5.parse(text);
  },
};

export function hashRaw(raw: string | null): string {
  return `sha256:${createHash("sha256")
    .update(raw ?? "")
    .digest("hex")}`;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** RFC 7386 JSON merge-patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

export function getPath(object: unknown, path: string): unknown {
  let current: unknown = object;
  for (const segment of path.split(".")) {
    if (!isObject(current)) return undefined;
    current = current[segment];
  }
  return current;
}

function setPathIn(object: JsonObject, path: string, value: unknown): JsonObject {
  const segments = path.split(".");
  const root: JsonObject = { ...object };
  let current = root;
  for (const [index, segment] of segments.entries()) {
    if (index === segments.length - 1) current[segment] = value;
    else {
      const next = isObject(current[segment]) ? { ...(current[segment] as JsonObject) } : {};
      current[segment] = next;
      current = next;
    }
  }
  return root;
}

export interface FileConfigStoreOptions {
  /** Validate a parsed config; return issues (empty = valid). */
  validate?: (config: JsonObject) => { path: string; message: string }[];
  /** Build the effective config from the parsed file (defaults). Identity by default. */
  resolve?: (config: JsonObject) => JsonObject;
  schema?: unknown;
  /** Watch the file for edits (default true). */
  watch?: boolean;
  debounceMs?: number;
}

/**
 * A self-contained config store on one JSON5 file: read on demand, writes guarded by `baseHash`
 * and done atomically (temp file + rename, mode 0600), edits picked up by watching the
 * directory (editors replace files by rename). An invalid edit keeps the last good config.
 */
export function createFileConfigStore(
  path: string,
  options: FileConfigStoreOptions = {},
): GatewayConfigStore {
  const listeners = new Set<(snapshot: ConfigSnapshot) => void>();
  let current = read();
  let watcher: FSWatcher | undefined;
  let timer: NodeJS.Timeout | undefined;

  function read(): ConfigSnapshot {
    let raw: string | null = null;
    try {
      raw = readFileSync(path, "utf8");
    } catch {
      raw = null;
    }
    if (raw === null) {
      return {
        path,
        exists: false,
        raw: null,
        config: options.resolve?.({}) ?? {},
        hash: hashRaw(null),
        valid: true,
      };
    }
    try {
      const parsed = raw.trim() ? JSON5.parse(raw) : {};
      if (!isObject(parsed)) throw new Error("the config file must hold an object");
      const issues = options.validate?.(parsed) ?? [];
      return {
        path,
        exists: true,
        raw,
        config: options.resolve?.(parsed) ?? parsed,
        hash: hashRaw(raw),
        valid: issues.length === 0,
        ...(issues.length ? { issues } : {}),
      };
    } catch (error) {
      return {
        path,
        exists: true,
        raw,
        config: {},
        hash: hashRaw(raw),
        valid: false,
        issues: [{ path: "", message: error instanceof Error ? error.message : String(error) }],
      };
    }
  }

  function refresh(): void {
    const next = read();
    if (next.hash === current.hash) return;
    if (!next.valid && current.valid) {
      // keep the last good config active; the hash still moves so writes see the file's state
      current = { ...current, hash: next.hash, raw: next.raw };
      return;
    }
    current = next;
    for (const listener of listeners) listener(current);
  }

  function startWatch(): void {
    if (watcher || options.watch === false) return;
    try {
      mkdirSync(dirname(path), { recursive: true });
      const name = basename(path);
      watcher = watch(dirname(path), { persistent: false }, (_event, file) => {
        if (file && file !== name) return;
        clearTimeout(timer);
        timer = setTimeout(refresh, options.debounceMs ?? 100);
      });
      watcher.on("error", () => undefined);
    } catch {
      watcher = undefined;
    }
  }

  function checkBase(baseHash?: string): void {
    refresh();
    if (baseHash !== undefined && baseHash !== current.hash) {
      throw new GatewayMethodError({
        code: "INVALID_REQUEST",
        message: "config changed since last load; re-run config.get and retry",
        details: { code: "INVALID_PARAMS", expectedHash: current.hash },
      });
    }
  }

  function write(raw: string): ConfigSnapshot {
    let parsed: unknown;
    try {
      parsed = JSON5.parse(raw);
    } catch (error) {
      throw new GatewayMethodError({
        code: "INVALID_REQUEST",
        message: `invalid config: ${error instanceof Error ? error.message : String(error)}`,
        details: { code: "INVALID_PARAMS" },
      });
    }
    if (!isObject(parsed)) {
      throw new GatewayMethodError({
        code: "INVALID_REQUEST",
        message: "invalid config: expected an object",
      });
    }
    const issues = options.validate?.(parsed) ?? [];
    if (issues.length) {
      throw new GatewayMethodError({
        code: "INVALID_REQUEST",
        message: `invalid config: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join("; ")}`,
        details: { code: "INVALID_PARAMS", issues },
      });
    }
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const temp = `${path}.${process.pid}.tmp`;
    writeFileSync(temp, raw.endsWith("\n") ? raw : `${raw}\n`, { mode: 0o600 });
    renameSync(temp, path);
    const before = current.hash;
    current = read();
    if (current.hash !== before) for (const listener of listeners) listener(current);
    return current;
  }

  startWatch();
  return {
    path,
    snapshot: () => current,
    async set(raw, baseHash) {
      checkBase(baseHash);
      return write(raw);
    },
    async patch(patch, baseHash) {
      checkBase(baseHash);
      const base = current.raw ? (JSON5.parse(current.raw) as JsonObject) : {};
      return write(`${JSON.stringify(mergePatch(base, patch), null, 2)}\n`);
    },
    async setPath(dotted, value) {
      refresh();
      const base = current.raw && existsSync(path) ? (JSON5.parse(current.raw) as JsonObject) : {};
      return write(`${JSON.stringify(setPathIn(base, dotted, value), null, 2)}\n`);
    },
    schema: () => options.schema ?? { type: "object" },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      clearTimeout(timer);
      watcher?.close();
      watcher = undefined;
    },
  };
}
