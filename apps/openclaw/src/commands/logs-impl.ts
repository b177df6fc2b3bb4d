import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import {
  type ClientFlags,
  localPaths,
  logFileFor,
  print,
  readLocalConfig,
  resolveTarget,
} from "./gateway-local.js";
import { CliError, openRpc, runClient } from "./gateway-rpc.js";

interface Tail {
  file: string | null;
  cursor: number;
  size: number;
  lines: string[];
  reset?: boolean;
}

const LEVELS: Record<number, string> = {
  10: "trace",
  20: "debug",
  30: "info",
  40: "warn",
  50: "error",
  60: "fatal",
};

/**
 * A line this project's gateway wrote (pino JSON: numeric `level` and `time`). The default log
 * file is shared by day under /tmp/openclaw, so other programs' lines (OpenClaw's own gateway,
 * anything else) can be in it; `openclaw logs` shows only ours.
 */
export function isGatewayLine(line: string): boolean {
  try {
    const value = JSON.parse(line) as Record<string, unknown>;
    return typeof value.level === "number" && typeof value.time === "number" && typeof value.msg === "string";
  } catch {
    return false;
  }
}

function pretty(line: string): string {
  try {
    const {
      level,
      time,
      msg,
      pid: _pid,
      hostname: _host,
      ...rest
    } = JSON.parse(line) as Record<string, unknown>;
    const when = new Date(Number(time)).toLocaleTimeString(undefined, { hour12: false });
    const extra = Object.entries(rest)
      .map(([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`)
      .join(" ");
    return `${when} ${(LEVELS[Number(level)] ?? String(level)).padEnd(5)} ${String(msg ?? "")}${extra ? ` ${extra}` : ""}`;
  } catch {
    return line;
  }
}

/** Read the local log file from a byte cursor (used when the gateway is not reachable). */
function tailLocal(file: string, cursor: number | undefined, limit: number): Tail {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch {
    return { file, cursor: 0, size: 0, lines: [] };
  }
  try {
    const size = fstatSync(fd).size;
    const start = cursor === undefined ? Math.max(0, size - 1_000_000) : cursor > size ? 0 : cursor;
    const buffer = Buffer.alloc(size - start);
    readSync(fd, buffer, 0, buffer.length, start);
    const text = buffer.toString("utf8");
    const end = text.lastIndexOf("\n") + 1;
    let lines = text.slice(0, end).split("\n").filter(Boolean);
    if (cursor === undefined && start > 0) lines = lines.slice(1);
    if (cursor === undefined) lines = lines.slice(-limit);
    return { file, cursor: start + Buffer.byteLength(text.slice(0, end)), size, lines };
  } finally {
    closeSync(fd);
  }
}

/** `openclaw logs [--follow] [--json] [--limit N]` */
export async function logsCommand(flags: ClientFlags & { follow?: boolean; limit?: string }): Promise<void> {
  await runClient(async () => {
    const limit = Math.max(1, Math.min(5000, Number(flags.limit ?? 200) || 200));
    const emit = (all: string[]) => {
      const lines = all.filter(isGatewayLine);
      if (lines.length) print(lines.map((line) => (flags.json ? line : pretty(line))).join("\n"));
    };
    let fetchTail: (cursor?: number) => Promise<Tail>;
    let close: () => Promise<void> = async () => undefined;
    try {
      const session = await openRpc(resolveTarget(flags), ["operator.read"]);
      fetchTail = (cursor) =>
        session.call<Tail>("logs.tail", cursor === undefined ? { limit } : { cursor, limit: 5000 });
      close = () => session.close();
    } catch (error) {
      if (flags.url || !(error instanceof CliError) || !error.message.startsWith("gateway connection failed"))
        throw error;
      const { config } = readLocalConfig(localPaths());
      const file = logFileFor(config);
      process.stderr.write(`(gateway not reachable; reading ${file})\n`);
      fetchTail = async (cursor) => tailLocal(file, cursor, limit);
    }
    let tail = await fetchTail();
    emit(tail.lines);
    if (!flags.follow) {
      await close();
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setInterval(async () => {
        try {
          tail = await fetchTail(tail.cursor);
          emit(tail.lines);
        } catch (error) {
          clearInterval(timer);
          process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
          process.exitCode = 1;
          resolve();
        }
      }, 1000);
      process.once("SIGINT", () => {
        clearInterval(timer);
        resolve();
      });
    });
    await close();
  });
}
