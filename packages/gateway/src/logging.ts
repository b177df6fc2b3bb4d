import { closeSync, fstatSync, mkdirSync, openSync, readSync } from "node:fs";
import { dirname, join } from "node:path";
import pino, { type Logger } from "pino";

export type { Logger } from "pino";

/** `/tmp/openclaw/openclaw-YYYY-MM-DD.log` (local date), OpenClaw's default. */
export function defaultLogFile(date = new Date()): string {
  const pad = (value: number) => String(value).padStart(2, "0");
  const day = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  return join("/tmp/openclaw", `openclaw-${day}.log`);
}

/** Paths pino censors in every log line. */
export const REDACT_PATHS = [
  "token",
  "password",
  "apiKey",
  "deviceToken",
  "authorization",
  "*.token",
  "*.password",
  "*.apiKey",
  "*.deviceToken",
  "*.authorization",
  "*.*.token",
  "*.*.password",
  "*.*.apiKey",
  "headers.authorization",
  "headers.cookie",
];

const LEVEL_NAMES: Record<number, string> = {
  10: "trace",
  20: "debug",
  30: "info",
  40: "warn",
  50: "error",
  60: "fatal",
};

/** One JSON log line rendered for a human (`12:00:01 info  message key=value`). */
export function prettyLine(line: string, color: boolean): string {
  try {
    const entry = JSON.parse(line) as Record<string, unknown>;
    const { level, time, msg, pid: _pid, hostname: _host, ...rest } = entry;
    const name = LEVEL_NAMES[Number(level)] ?? String(level);
    const clock = new Date(Number(time)).toTimeString().slice(0, 8);
    const extra = Object.entries(rest)
      .map(([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`)
      .join(" ");
    const paint = color
      ? Number(level) >= 50
        ? "\x1b[31m"
        : Number(level) >= 40
          ? "\x1b[33m"
          : "\x1b[36m"
      : "";
    const reset = color ? "\x1b[0m" : "";
    return `${clock} ${paint}${name.padEnd(5)}${reset} ${String(msg ?? "")}${extra ? ` ${extra}` : ""}\n`;
  } catch {
    return line.endsWith("\n") ? line : `${line}\n`;
  }
}

export interface GatewayLoggerOptions {
  /** Log file (JSON lines); default {@link defaultLogFile}. `false` disables the file. */
  file?: string | false;
  level?: string;
  /** Also write to the console (stderr-like stream); default false. */
  console?: boolean;
  consoleLevel?: string;
  /** Where console lines go (default process.stdout). */
  consoleStream?: NodeJS.WritableStream & { isTTY?: boolean };
}

/**
 * pino JSON lines to the log file with secrets redacted; console output is pretty on a TTY and
 * JSON lines otherwise.
 */
export function createGatewayLogger(options: GatewayLoggerOptions = {}): {
  logger: Logger;
  file: string | undefined;
} {
  const streams: pino.StreamEntry[] = [];
  const file = options.file === false ? undefined : (options.file ?? defaultLogFile());
  if (file) {
    mkdirSync(dirname(file), { recursive: true });
    streams.push({
      level: (options.level ?? "info") as pino.Level,
      stream: pino.destination({ dest: file, sync: true, mkdir: true }),
    });
  }
  if (options.console) {
    const target = options.consoleStream ?? process.stdout;
    const pretty = Boolean(target.isTTY);
    const color = pretty && !process.env.NO_COLOR;
    streams.push({
      level: (options.consoleLevel ?? options.level ?? "info") as pino.Level,
      stream: { write: (line: string) => target.write(pretty ? prettyLine(line, color) : line) },
    });
  }
  const logger = pino(
    {
      level: "trace",
      base: { pid: process.pid },
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    },
    streams.length ? pino.multistream(streams) : { write: () => undefined },
  );
  logger.level = lowest([
    options.level ?? "info",
    options.console ? (options.consoleLevel ?? options.level ?? "info") : "fatal",
  ]);
  return { logger, file };
}

function lowest(levels: string[]): string {
  const order = ["trace", "debug", "info", "warn", "error", "fatal", "silent"];
  return levels.reduce(
    (best, level) => (order.indexOf(level) >= 0 && order.indexOf(level) < order.indexOf(best) ? level : best),
    "silent",
  );
}

export interface TailResult {
  file: string;
  cursor: number;
  size: number;
  lines: string[];
  truncated?: boolean;
  reset?: boolean;
}

/**
 * Read a log file from a byte cursor (or its tail): `cursor` is where the next call continues.
 * A cursor past the end (the file was rotated or truncated) restarts from the top with `reset`.
 */
export function tailLogFile(
  file: string,
  options: { cursor?: number; limit?: number; maxBytes?: number } = {},
): TailResult {
  const limit = options.limit ?? 500;
  const maxBytes = options.maxBytes ?? 250_000;
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch {
    return { file, cursor: 0, size: 0, lines: [] };
  }
  try {
    const size = fstatSync(fd).size;
    let start: number;
    let reset = false;
    if (options.cursor === undefined) start = Math.max(0, size - maxBytes);
    else if (options.cursor > size) {
      start = 0;
      reset = true;
    } else start = options.cursor;
    const length = Math.min(size - start, maxBytes);
    const buffer = Buffer.alloc(length);
    if (length > 0) readSync(fd, buffer, 0, length, start);
    let text = buffer.toString("utf8");
    let consumed = length;
    // only hand out whole lines: keep a trailing partial line for the next call
    const lastNewline = text.lastIndexOf("\n");
    if (lastNewline < text.length - 1) {
      consumed = Buffer.byteLength(text.slice(0, lastNewline + 1));
      text = text.slice(0, lastNewline + 1);
    }
    let lines = text.split("\n").filter((line) => line.length > 0);
    // when starting mid-file from the tail, the first line may be cut
    if (options.cursor === undefined && start > 0) lines = lines.slice(1);
    let truncated = start + length < size;
    if (lines.length > limit) {
      if (options.cursor === undefined) lines = lines.slice(-limit);
      else {
        lines = lines.slice(0, limit);
        consumed = Buffer.byteLength(`${lines.join("\n")}\n`);
        truncated = true;
      }
    }
    const result: TailResult = { file, cursor: start + consumed, size, lines };
    if (truncated) result.truncated = true;
    if (reset) result.reset = true;
    return result;
  } finally {
    closeSync(fd);
  }
}
