import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface GatewayLockInfo {
  pid: number;
  host: string;
  port: number;
  url: string;
  startedAt: string;
}

export function lockPath(stateDir: string): string {
  return join(stateDir, "gateway.lock");
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The lock of a live gateway on this state dir, if any (a stale lock from a dead pid is ignored). */
export function readGatewayLock(stateDir: string): GatewayLockInfo | undefined {
  try {
    const info = JSON.parse(readFileSync(lockPath(stateDir), "utf8")) as GatewayLockInfo;
    if (typeof info.pid !== "number" || !processAlive(info.pid)) return undefined;
    return info;
  } catch {
    return undefined;
  }
}

export function writeGatewayLock(stateDir: string, info: GatewayLockInfo): void {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  writeFileSync(lockPath(stateDir), `${JSON.stringify(info)}\n`, { mode: 0o600 });
}

export function releaseGatewayLock(stateDir: string, pid = process.pid): void {
  try {
    const info = JSON.parse(readFileSync(lockPath(stateDir), "utf8")) as GatewayLockInfo;
    if (info.pid !== pid) return;
  } catch {
    return;
  }
  rmSync(lockPath(stateDir), { force: true });
}
