import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { resolvePaths } from "@openclaw/core/config";
import { writeFileAtomic } from "@openclaw/core/fs";
import {
  createFileStateStore,
  parseSessionBundle,
  SessionStore,
  StateError,
  serializeSessionBundle,
} from "@openclaw/core/state";
import type { SessionsListOptions } from "./sessions.js";

function store(): SessionStore {
  const paths = resolvePaths(process.env);
  return new SessionStore({
    state: createFileStateStore(paths.stateDir),
    onIssue: (issue) => process.stderr.write(`warning: ${issue.path}: ${issue.message}\n`),
  });
}

function ago(ms: number): string {
  const minutes = Math.round((Date.now() - ms) / 60_000);
  if (minutes < 1) return "just now";
  if (minutes < 60) return `${minutes}m ago`;
  if (minutes < 48 * 60) return `${Math.round(minutes / 60)}h ago`;
  return `${Math.round(minutes / 1440)}d ago`;
}

function positive(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0)
    throw new StateError("STATE_INVALID_KEY", `${name} must be a non-negative number, got "${value}"`);
  return number;
}

async function guard(fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (error) {
    if (
      StateError.isInstance(error) ||
      (error as { code?: string }).code === "FILE_WRITE" ||
      (error as NodeJS.ErrnoException).code === "ENOENT"
    ) {
      process.stderr.write(`openclaw sessions: ${(error as Error).message}\n`);
      process.exitCode = 1;
      return;
    }
    throw error;
  }
}

export async function sessionsList(options: SessionsListOptions): Promise<void> {
  await guard(async () => {
    const active = positive(options.active, "--active");
    const records = await store().list({
      agentId: options.agent,
      activeSince: active === undefined ? undefined : Date.now() - active * 60_000,
      label: options.label,
      search: options.search,
      limit: positive(options.limit, "--limit"),
    });
    if (options.json) {
      process.stdout.write(
        `${JSON.stringify({ count: records.length, sessions: records.map((r) => ({ key: r.key, agentId: r.agentId, ...r.entry })) }, null, 2)}\n`,
      );
      return;
    }
    if (records.length === 0) {
      process.stdout.write("No sessions.\n");
      return;
    }
    for (const { key, entry } of records) {
      const extra = [
        entry.label && `label=${entry.label}`,
        entry.displayName,
        entry.modelOverride && `model=${entry.modelOverride}`,
        entry.totalTokens !== undefined && `${entry.totalTokens} tokens`,
      ]
        .filter(Boolean)
        .join("  ");
      process.stdout.write(
        `${key}  ${ago(entry.updatedAt ?? 0)}  ${entry.sessionId}${extra ? `  ${extra}` : ""}\n`,
      );
    }
  });
}

export async function sessionsExport(
  keys: string[],
  options: { agent?: string; out?: string },
): Promise<void> {
  await guard(async () => {
    const bundle = await store().exportSessions({
      keys: keys.length > 0 ? keys : undefined,
      agentId: options.agent,
    });
    const out = resolve(options.out ?? `openclaw-sessions-${new Date().toISOString().slice(0, 10)}.jsonl`);
    await writeFileAtomic(out, serializeSessionBundle(bundle), { mode: 0o600 });
    process.stdout.write(`Exported ${bundle.sessions.length} session(s) to ${out}\n`);
  });
}

export async function sessionsImport(file: string, options: { overwrite?: boolean }): Promise<void> {
  await guard(async () => {
    const bundle = parseSessionBundle(await readFile(resolve(file), "utf8"));
    const result = await store().importSessions(bundle, { overwrite: options.overwrite });
    process.stdout.write(`Imported ${result.imported.length} session(s)\n`);
    for (const skipped of result.skipped)
      process.stdout.write(`  skipped ${skipped.key}: ${skipped.reason}\n`);
  });
}
