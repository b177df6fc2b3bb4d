import { resolve } from "node:path";
import { AuthProfileStore } from "../state/auth-profile-store.js";
import type { PairedDevice } from "../state/device-pairing-store.js";
import { updateJsonState } from "../state/json-file.js";
import { SessionStore } from "../state/session-store.js";
import { createFileStateStore, type StateStore } from "../state/state-store.js";
import { mirrorAuthProfilesToOpenClaw } from "./openclaw-auth-store.js";
import { type OpenClawSnapshot, readOpenClawStateDir } from "./openclaw-source.js";

/** Marker written into each imported session entry, so a second run recognises it. */
export const IMPORTED_FROM_FIELD = "importedFrom";

export interface MigrateOpenClawOptions {
  /** The OpenClaw state dir to read (never written). */
  from: string;
  /** This project's state dir to import into (often the same directory). */
  stateDir: string;
  /** Report what would be imported without writing anything. */
  dryRun?: boolean;
}

export interface MigrationItemResult {
  imported: string[];
  skipped: { id: string; reason: string }[];
}

export interface MigrationSummary {
  from: string;
  stateDir: string;
  dryRun: boolean;
  /** `app_version` the source databases were written by. */
  sourceVersion?: string;
  sessions: MigrationItemResult;
  authProfiles: MigrationItemResult;
  devices: MigrationItemResult;
  notes: string[];
}

function marker(sessionId: string): string {
  return `openclaw-sqlite:${sessionId}`;
}

async function importSessions(
  snapshot: OpenClawSnapshot,
  store: SessionStore,
  dryRun: boolean,
): Promise<MigrationItemResult> {
  const result: MigrationItemResult = { imported: [], skipped: [] };
  for (const session of snapshot.sessions) {
    const existing = await store.get(session.key, session.agentId);
    const tag = marker(session.entry.sessionId);
    if (existing?.entry[IMPORTED_FROM_FIELD] === tag) {
      result.skipped.push({ id: session.key, reason: "already imported" });
      continue;
    }
    if (dryRun) {
      result.imported.push(session.key);
      continue;
    }
    // A session of ours under the same key (e.g. a fresh conversation started before the
    // migration) is archived as a reset, never deleted: the user's long-running one comes back.
    const outcome = await store.importSessions(
      {
        type: "openclaw.sessions.bundle",
        version: 1,
        exportedAt: new Date().toISOString(),
        sessions: [
          {
            agentId: session.agentId,
            key: store.storeKey(session.key, session.agentId),
            entry: { ...session.entry, [IMPORTED_FROM_FIELD]: tag },
            transcript: session.transcript,
          },
        ],
      },
      { overwrite: Boolean(existing) },
    );
    result.imported.push(...outcome.imported);
    for (const skip of outcome.skipped) result.skipped.push({ id: skip.key, reason: skip.reason });
  }
  return result;
}

async function importAuthProfiles(
  snapshot: OpenClawSnapshot,
  state: StateStore,
  stateDir: string,
  dryRun: boolean,
): Promise<MigrationItemResult> {
  const result: MigrationItemResult = { imported: [], skipped: [] };
  for (const [agentId, file] of Object.entries(snapshot.authProfiles)) {
    const store = new AuthProfileStore(state, agentId);
    const current = await store.read();
    for (const [id, credential] of Object.entries(file.profiles)) {
      const label = `${agentId}/${id}`;
      const mine = current.profiles[id];
      if (mine && JSON.stringify(mine) === JSON.stringify(credential)) {
        result.skipped.push({ id: label, reason: "already imported" });
        continue;
      }
      if (mine) {
        result.skipped.push({ id: label, reason: "a different profile with this id exists here (kept)" });
        continue;
      }
      if (!dryRun) await store.upsert(id, credential);
      result.imported.push(label);
    }
    // when OpenClaw itself lives in this state dir, write the profiles where it reads them too:
    // a JSON file next to its empty store would make it refuse these providers
    if (!dryRun && result.imported.some((label) => label.startsWith(`${agentId}/`)))
      await mirrorAuthProfilesToOpenClaw(stateDir, agentId, await store.read());
  }
  return result;
}

async function importDevices(
  devices: PairedDevice[],
  state: StateStore,
  dryRun: boolean,
): Promise<MigrationItemResult> {
  const result: MigrationItemResult = { imported: [], skipped: [] };
  if (devices.length === 0) return result;
  const apply = (paired: Record<string, PairedDevice>) => {
    let changed = false;
    for (const device of devices) {
      if (paired[device.deviceId]) {
        result.skipped.push({ id: device.deviceId, reason: "already paired here" });
        continue;
      }
      paired[device.deviceId] = device;
      result.imported.push(device.deviceId);
      changed = true;
    }
    return changed;
  };
  if (dryRun) {
    const text = await state.readText("devices/paired.json");
    apply(text ? (JSON.parse(text) as Record<string, PairedDevice>) : {});
    return result;
  }
  await updateJsonState<Record<string, PairedDevice>, void>(
    state,
    "devices/paired.json",
    () => ({}),
    (paired) => {
      const changed = apply(paired);
      return { value: paired, result: undefined, changed };
    },
  );
  return result;
}

/**
 * Import a current OpenClaw state dir (SQLite sessions and transcripts, auth profiles, paired
 * devices) into this project's layout (`sessions.json` + JSONL, `auth-profiles.json`,
 * `devices/paired.json`). The source is opened read-only; running it again imports nothing new.
 */
export async function migrateOpenClawState(options: MigrateOpenClawOptions): Promise<MigrationSummary> {
  const from = resolve(options.from);
  const stateDir = resolve(options.stateDir);
  const dryRun = Boolean(options.dryRun);
  const snapshot = await readOpenClawStateDir(from);
  const state = createFileStateStore(stateDir);
  const sessions = new SessionStore({ state });
  try {
    return {
      from,
      stateDir,
      dryRun,
      sourceVersion: snapshot.appVersion,
      sessions: await importSessions(snapshot, sessions, dryRun),
      authProfiles: await importAuthProfiles(snapshot, state, stateDir, dryRun),
      devices: await importDevices(snapshot.devices, state, dryRun),
      notes: snapshot.notes,
    };
  } finally {
    await sessions.close();
  }
}

/** A few lines for humans: what was imported, what was skipped and why. */
export function formatMigrationSummary(summary: MigrationSummary): string {
  const verb = summary.dryRun ? "would import" : "imported";
  const lines = [
    `OpenClaw state ${summary.from}${summary.sourceVersion ? ` (written by ${summary.sourceVersion})` : ""} → ${summary.stateDir}`,
  ];
  const section = (name: string, item: MigrationItemResult) => {
    lines.push(`  ${name}: ${verb} ${item.imported.length}, skipped ${item.skipped.length}`);
    for (const id of item.imported) lines.push(`    + ${id}`);
    for (const skip of item.skipped) lines.push(`    = ${skip.id} (${skip.reason})`);
  };
  section("sessions", summary.sessions);
  section("auth profiles", summary.authProfiles);
  section("paired devices", summary.devices);
  for (const note of summary.notes) lines.push(`  note: ${note}`);
  return lines.join("\n");
}
