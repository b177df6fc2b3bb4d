import { randomUUID } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { StoredDeviceIdentity } from "@openclaw/protocol";

/** `node.json`: who this node is to the gateway (0600; the device key and token are secrets). */
export interface NodeFile {
  version: 1;
  /** The node id the gateway knows this node by (its device id). */
  nodeId?: string;
  displayName?: string;
  gateway?: { host?: string; port?: number; tls?: boolean; tlsFingerprint?: string };
  device?: StoredDeviceIdentity;
  /** The device token the gateway issued (role node). */
  deviceToken?: string;
  [key: string]: unknown;
}

export function readNodeFile(path: string): NodeFile {
  try {
    const parsed = JSON.parse(readFileSync(path, "utf8")) as NodeFile;
    return typeof parsed === "object" && parsed && parsed.version === 1 ? parsed : { version: 1 };
  } catch {
    return { version: 1 };
  }
}

export function writeNodeFile(path: string, file: NodeFile): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = join(dirname(path), `.node.${process.pid}.${randomUUID()}.tmp`);
  writeFileSync(temp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, path);
  chmodSync(path, 0o600);
}
