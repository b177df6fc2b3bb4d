import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { DatabaseSync } from "node:sqlite";
import type { AuthProfilesFile } from "../state/auth-profile-store.js";
import type { PairedDevice } from "../state/device-pairing-store.js";
import type { SessionEntry } from "../state/session-store.js";

// Reader of a current OpenClaw (2026.9+) state dir. OpenClaw keeps each agent's sessions and
// transcripts in `agents/<agentId>/agent/openclaw-agent.sqlite` (`session_nodes` → the current
// `session_windows` row → `transcript_events` in `seq` order, each event the same JSON line the
// JSONL transcripts hold) and gateway state in `state/openclaw.sqlite` (`config_machine_state`
// row `authProfiles.store` = the shared auth profile store, `device_pairing_paired`). Every
// database is opened read-only: nothing here writes to the source.

/** One session of the source, ready for `SessionStore.importSessions`. */
export interface SourceSession {
  agentId: string;
  key: string;
  entry: SessionEntry;
  /** Transcript JSONL text (header first), as OpenClaw's JSONL transcripts hold it. */
  transcript: string;
  /** Transcript events in the source. */
  events: number;
}

export interface OpenClawSnapshot {
  /** `app_version` OpenClaw recorded in its databases, when present. */
  appVersion?: string;
  agents: string[];
  sessions: SourceSession[];
  /** Auth profiles per agent id; the shared store (OpenClaw's default) is reported as "main". */
  authProfiles: Record<string, AuthProfilesFile>;
  devices: PairedDevice[];
  /** Things read but not imported, or read with trouble (shown in the summary). */
  notes: string[];
}

type Row = Record<string, unknown>;

async function openReadOnly(path: string): Promise<DatabaseSync> {
  const { DatabaseSync } = await import("node:sqlite");
  try {
    return new DatabaseSync(path, { readOnly: true });
  } catch (error) {
    throw new Error(
      `cannot open ${path} read-only (${(error as Error).message}); stop the OpenClaw gateway that uses it and retry`,
      { cause: error },
    );
  }
}

function hasTable(db: DatabaseSync, name: string): boolean {
  return Boolean(db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name));
}

function parseJson(text: unknown): unknown {
  if (typeof text !== "string") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** True when `dir` looks like a current OpenClaw state dir (an agent or the state database). */
export function isOpenClawSqliteStateDir(dir: string): boolean {
  return existsSync(join(dir, "state", "openclaw.sqlite")) || agentDatabases(dir).length > 0;
}

function agentDatabases(dir: string): { agentId: string; path: string }[] {
  const root = join(dir, "agents");
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  return names
    .map((agentId) => ({ agentId, path: join(root, agentId, "agent", "openclaw-agent.sqlite") }))
    .filter(({ path }) => existsSync(path) && statSync(path).isFile());
}

async function zstdDecoder(): Promise<((data: Uint8Array) => string) | undefined> {
  const zlib = (await import("node:zlib")) as { zstdDecompressSync?: (data: Uint8Array) => Buffer };
  return zlib.zstdDecompressSync ? (data) => zlib.zstdDecompressSync!(data).toString("utf8") : undefined;
}

async function readTranscript(
  db: DatabaseSync,
  sessionId: string,
  notes: string[],
): Promise<{ lines: string[]; events: number }> {
  const rows = db
    .prepare("SELECT seq, event_json, event_zstd FROM transcript_events WHERE session_id = ? ORDER BY seq")
    .all(sessionId) as Row[];
  const lines: string[] = [];
  let decode: ((data: Uint8Array) => string) | undefined | null = null;
  for (const row of rows) {
    if (typeof row.event_json === "string") {
      lines.push(row.event_json);
      continue;
    }
    if (row.event_zstd instanceof Uint8Array) {
      if (decode === null) decode = await zstdDecoder();
      if (decode) {
        lines.push(decode(row.event_zstd));
        continue;
      }
      notes.push(
        `session ${sessionId}: event ${row.seq} is zstd-compressed and this Node has no zstd; skipped`,
      );
    }
  }
  return { lines, events: rows.length };
}

function cleanEntry(raw: unknown, sessionId: string): SessionEntry {
  const entry = (isRecord(raw) ? { ...raw } : {}) as SessionEntry;
  // a cached prompt of the source install's skills (absolute paths of that install)
  delete entry.skillsSnapshot;
  delete entry.sessionFile;
  entry.sessionId = sessionId;
  if (typeof entry.updatedAt !== "number") entry.updatedAt = Date.now();
  return entry;
}

async function readAgentDatabase(agentId: string, path: string, snapshot: OpenClawSnapshot): Promise<void> {
  const db = await openReadOnly(path);
  try {
    if (!hasTable(db, "session_nodes") || !hasTable(db, "transcript_events")) {
      snapshot.notes.push(`${agentId}: no session tables in openclaw-agent.sqlite`);
      return;
    }
    const meta = hasTable(db, "schema_meta")
      ? (db.prepare("SELECT app_version FROM schema_meta WHERE meta_key = 'primary'").get() as
          | Row
          | undefined)
      : undefined;
    if (typeof meta?.app_version === "string") snapshot.appVersion ??= meta.app_version;
    const nodes = db
      .prepare("SELECT session_key, current_session_id, entry_json FROM session_nodes ORDER BY session_key")
      .all() as Row[];
    for (const node of nodes) {
      const key = String(node.session_key);
      const sessionId = String(node.current_session_id);
      const { lines, events } = await readTranscript(db, sessionId, snapshot.notes);
      if (lines.length === 0) {
        snapshot.notes.push(`${key}: no transcript events for session ${sessionId}; skipped`);
        continue;
      }
      snapshot.sessions.push({
        agentId,
        key,
        entry: cleanEntry(parseJson(node.entry_json), sessionId),
        transcript: `${lines.join("\n")}\n`,
        events,
      });
    }
    const older = db
      .prepare(
        "SELECT count(*) AS n FROM session_windows w WHERE NOT EXISTS (SELECT 1 FROM session_nodes n WHERE n.current_session_id = w.session_id)",
      )
      .get() as Row | undefined;
    if (Number(older?.n) > 0)
      snapshot.notes.push(`${agentId}: ${older?.n} earlier session window(s) (resets) not imported`);
    if (hasTable(db, "auth_profile_store")) {
      const row = db.prepare("SELECT store_json FROM auth_profile_store WHERE store_key = 'primary'").get() as
        | Row
        | undefined;
      const store = parseJson(row?.store_json);
      if (isRecord(store) && isRecord(store.profiles)) mergeProfiles(snapshot, agentId, store);
    }
  } finally {
    db.close();
  }
}

function mergeProfiles(snapshot: OpenClawSnapshot, agentId: string, store: Record<string, unknown>): void {
  const current = snapshot.authProfiles[agentId] ?? { version: 1, profiles: {} };
  current.profiles = { ...current.profiles, ...(store.profiles as AuthProfilesFile["profiles"]) };
  for (const field of ["order", "lastGood", "usageStats"] as const)
    if (isRecord(store[field])) current[field] = { ...(current[field] ?? {}), ...store[field] } as never;
  snapshot.authProfiles[agentId] = current;
}

function toPairedDevice(row: Row): PairedDevice | undefined {
  const tokens = parseJson(row.tokens_json);
  const roles = parseJson(row.roles_json);
  const scopes = parseJson(row.approved_scopes_json) ?? parseJson(row.scopes_json);
  if (typeof row.device_id !== "string" || typeof row.public_key !== "string") return undefined;
  const optional = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);
  return {
    deviceId: row.device_id,
    publicKey: row.public_key,
    displayName: optional(row.operator_label) ?? optional(row.display_name),
    platform: optional(row.platform),
    clientId: optional(row.client_id),
    clientMode: optional(row.client_mode),
    role: optional(row.role) ?? "operator",
    roles: Array.isArray(roles) ? roles.map(String) : [String(row.role ?? "operator")],
    scopes: Array.isArray(scopes) ? scopes.map(String) : [],
    remoteIp: optional(row.remote_ip),
    createdAtMs: Number(row.created_at_ms) || Date.now(),
    approvedAtMs: Number(row.approved_at_ms) || Date.now(),
    tokens: (isRecord(tokens) ? tokens : {}) as PairedDevice["tokens"],
  };
}

async function readStateDatabase(path: string, snapshot: OpenClawSnapshot): Promise<void> {
  const db = await openReadOnly(path);
  try {
    if (hasTable(db, "config_machine_state")) {
      const row = db
        .prepare("SELECT value_json FROM config_machine_state WHERE state_key = 'authProfiles.store'")
        .get() as Row | undefined;
      const store = parseJson(row?.value_json);
      if (isRecord(store) && isRecord(store.profiles)) mergeProfiles(snapshot, "main", store);
    }
    if (hasTable(db, "device_pairing_paired")) {
      for (const row of db.prepare("SELECT * FROM device_pairing_paired").all() as Row[]) {
        const device = toPairedDevice(row);
        if (device) snapshot.devices.push(device);
      }
    }
    if (hasTable(db, "device_pairing_pending")) {
      const pending = db.prepare("SELECT count(*) AS n FROM device_pairing_pending").get() as Row | undefined;
      if (Number(pending?.n) > 0)
        snapshot.notes.push(
          `${pending?.n} pending device pairing request(s) not imported (they expire anyway)`,
        );
    }
  } finally {
    db.close();
  }
}

/** Read a current OpenClaw state dir (read-only). */
export async function readOpenClawStateDir(dir: string): Promise<OpenClawSnapshot> {
  const snapshot: OpenClawSnapshot = { agents: [], sessions: [], authProfiles: {}, devices: [], notes: [] };
  for (const { agentId, path } of agentDatabases(dir)) {
    snapshot.agents.push(agentId);
    await readAgentDatabase(agentId, path, snapshot);
  }
  const statePath = join(dir, "state", "openclaw.sqlite");
  if (existsSync(statePath)) await readStateDatabase(statePath, snapshot);
  return snapshot;
}
