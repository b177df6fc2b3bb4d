import { existsSync } from "node:fs";
import { join } from "node:path";
import type { AuthProfilesFile } from "../state/auth-profile-store.js";

// OpenClaw 2026.9 reads auth profiles only from SQLite (the agent database's `auth_profile_store`
// row `primary`, or the shared `state/openclaw.sqlite`); an `auth-profiles.json` next to an
// empty store makes it refuse that agent's providers until `openclaw doctor --fix`, while a JSON
// file next to a populated store is ignored. So where an OpenClaw agent database exists, this
// project's profile writes are also written there, in the same JSON shape: OpenClaw reads them
// without a migration and both programs can use the state dir.

export interface MirrorResult {
  /** The database written, or undefined when there is no OpenClaw agent database here. */
  database?: string;
  profiles: number;
}

/**
 * Merge `file`'s profiles into `<stateDir>/agents/<agentId>/agent/openclaw-agent.sqlite`'s
 * `auth_profile_store` row when that OpenClaw database exists (never creates it). Profiles
 * OpenClaw already holds under other ids are kept; ours win for the same id.
 */
export async function mirrorAuthProfilesToOpenClaw(
  stateDir: string,
  agentId: string,
  file: AuthProfilesFile,
): Promise<MirrorResult> {
  const database = join(stateDir, "agents", agentId, "agent", "openclaw-agent.sqlite");
  if (!existsSync(database)) return { profiles: 0 };
  const { DatabaseSync } = await import("node:sqlite");
  const db = new DatabaseSync(database);
  try {
    db.exec("PRAGMA busy_timeout = 5000");
    const table = db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'auth_profile_store'")
      .get();
    if (!table) return { profiles: 0 };
    db.exec("BEGIN IMMEDIATE");
    try {
      const row = db.prepare("SELECT store_json FROM auth_profile_store WHERE store_key = 'primary'").get() as
        | { store_json?: string }
        | undefined;
      let current: { version?: number; profiles?: Record<string, unknown> } = {};
      try {
        current = row?.store_json ? JSON.parse(row.store_json) : {};
      } catch {
        current = {};
      }
      const profiles = { ...(current.profiles ?? {}), ...file.profiles };
      const next = { ...current, version: current.version ?? 1, profiles };
      db.prepare(
        "INSERT INTO auth_profile_store (store_key, store_json, updated_at) VALUES ('primary', ?, ?) ON CONFLICT(store_key) DO UPDATE SET store_json = excluded.store_json, updated_at = excluded.updated_at",
      ).run(JSON.stringify(next), Date.now());
      db.exec("COMMIT");
      return { database, profiles: Object.keys(profiles).length };
    } catch (error) {
      db.exec("ROLLBACK");
      throw error;
    }
  } finally {
    db.close();
  }
}
