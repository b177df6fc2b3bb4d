import { copyFile, readFile, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { appendLines, readFileIfExists, writeFileAtomic } from "../fs/index.js";
import type { CronJob, CronRunLogEntry } from "./types.js";

/** Run history kept per job: pruned to the newest entries past this size. */
const RUN_LOG_MAX_BYTES = 2 * 1024 * 1024;
const RUN_LOG_KEEP_LINES = 2_000;
/** `jobs.json.bak` (the last good copy) is refreshed at load and at most this often after writes. */
const BACKUP_EVERY_MS = 60_000;

export interface CronStoreOptions {
  stateDir: string;
  /** `cron.store` (default `<stateDir>/cron/jobs.json`). */
  storePath?: string;
  onError?(message: string): void;
}

function parseJobs(text: string): CronJob[] {
  const data = JSON.parse(text) as unknown;
  const jobs = Array.isArray(data) ? data : (data as { jobs?: unknown } | null)?.jobs;
  if (!Array.isArray(jobs)) throw new Error('expected { "version": 1, "jobs": [...] }');
  for (const [index, job] of jobs.entries()) {
    const candidate = job as Partial<CronJob> | null;
    if (
      !candidate ||
      typeof candidate.id !== "string" ||
      typeof candidate.schedule !== "object" ||
      !candidate.payload
    )
      throw new Error(`jobs[${index}] is not a job (id, schedule and payload are required)`);
    candidate.state ??= {};
  }
  return jobs as CronJob[];
}

/**
 * `cron/jobs.json` (whole-file atomic writes, 0600, coalesced: one write in flight, the next one
 * carries every change made meanwhile) and `cron/runs/<jobId>.jsonl`. A jobs file that does not
 * parse is never used nor silently overwritten: the last good jobs stay in memory (or come from
 * `jobs.json.bak`, written at each good load), the bad file is kept beside as
 * `jobs.json.corrupt-<time>` before the next write, and {@link error} says why.
 */
export class CronStore {
  readonly path: string;
  readonly runsDir: string;
  jobs = new Map<string, CronJob>();
  /** Why the jobs file could not be used (undefined when it is fine). */
  error: string | undefined;
  private fileStamp = "";
  private writing: Promise<void> | undefined;
  private dirty = false;
  private revision = 0;
  private backupAt = 0;

  constructor(private readonly options: CronStoreOptions) {
    this.path = options.storePath ?? path.join(options.stateDir, "cron", "jobs.json");
    this.runsDir = path.join(path.dirname(this.path), "runs");
  }

  /** Changes with every write: `cron.list`'s snapshot revision. */
  get snapshotRevision(): string {
    return `${this.revision}`;
  }

  private async stamp(): Promise<string> {
    try {
      const info = await stat(this.path);
      return `${info.mtimeMs}:${info.size}`;
    } catch {
      return "missing";
    }
  }

  /** Read the file (at start, or when it changed on disk). */
  async load(): Promise<void> {
    const stampNow = await this.stamp();
    const text = await readFileIfExists(this.path);
    this.fileStamp = stampNow;
    if (text === undefined) {
      this.error = undefined;
      return;
    }
    try {
      const jobs = parseJobs(text);
      this.jobs = new Map(jobs.map((job) => [job.id, job]));
      this.error = undefined;
      this.revision++;
      await copyFile(this.path, `${this.path}.bak`).catch(() => undefined);
      this.backupAt = Date.now();
    } catch (error) {
      this.error = `${this.path}: ${error instanceof Error ? error.message : String(error)}`;
      if (this.jobs.size === 0) await this.loadBackup();
      this.options.onError?.(
        `cron: jobs file unreadable (${this.error}); keeping the last good jobs (${this.jobs.size})`,
      );
    }
  }

  private async loadBackup(): Promise<void> {
    const backup = await readFileIfExists(`${this.path}.bak`);
    if (backup === undefined) return;
    try {
      this.jobs = new Map(parseJobs(backup).map((job) => [job.id, job]));
      this.revision++;
    } catch {
      // the backup is bad too: start empty, the bad file stays for the user
    }
  }

  /** Re-read the file if something else changed it since our last read or write. */
  async reloadIfChanged(): Promise<boolean> {
    if (this.writing) return false;
    const current = await this.stamp();
    if (current === this.fileStamp) return false;
    await this.load();
    return true;
  }

  /** Write the jobs; resolves once a write that includes every change made so far is on disk. */
  persist(): Promise<void> {
    this.revision++;
    this.dirty = true;
    if (!this.writing) this.writing = this.drain();
    return this.writing;
  }

  private async drain(): Promise<void> {
    try {
      while (this.dirty) {
        this.dirty = false;
        if (this.error) {
          // keep the unreadable file for the user before replacing it with the last good jobs
          await rename(this.path, `${this.path}.corrupt-${Date.now()}`).catch(() => undefined);
          this.error = undefined;
        }
        // readable for the usual few jobs; compact for big stores (10,000 jobs: ~2 MB instead of ~5)
        const indent = this.jobs.size <= 500 ? 2 : undefined;
        const data = `${JSON.stringify({ version: 1, jobs: [...this.jobs.values()] }, null, indent)}\n`;
        await writeFileAtomic(this.path, data);
        this.fileStamp = await this.stamp();
        if (Date.now() - this.backupAt >= BACKUP_EVERY_MS) {
          this.backupAt = Date.now();
          await copyFile(this.path, `${this.path}.bak`).catch(() => undefined);
        }
      }
    } finally {
      this.writing = undefined;
    }
  }

  /** Wait for writes in flight. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing.catch(() => undefined);
  }

  private runFile(jobId: string): string {
    return path.join(this.runsDir, `${jobId.replace(/[^a-zA-Z0-9._-]/g, "_")}.jsonl`);
  }

  /** Append one finished run to the job's history (pruned to the newest entries). */
  async appendRun(entry: CronRunLogEntry): Promise<void> {
    const file = this.runFile(entry.jobId);
    await appendLines(file, [JSON.stringify(entry)]);
    const size = (await stat(file).catch(() => undefined))?.size ?? 0;
    if (size <= RUN_LOG_MAX_BYTES) return;
    const lines = (await readFile(file, "utf8")).split("\n").filter(Boolean);
    await writeFileAtomic(file, `${lines.slice(-RUN_LOG_KEEP_LINES).join("\n")}\n`);
  }

  /** The job's runs, newest first (torn or foreign lines skipped). */
  async readRuns(jobId: string): Promise<CronRunLogEntry[]> {
    const text = await readFileIfExists(this.runFile(jobId));
    if (!text) return [];
    const entries: CronRunLogEntry[] = [];
    for (const line of text.split("\n")) {
      if (!line.trim()) continue;
      try {
        const entry = JSON.parse(line) as CronRunLogEntry;
        if (entry && entry.jobId === jobId && typeof entry.ts === "number") entries.push(entry);
      } catch {
        // a line torn by a crash: skip it
      }
    }
    return entries.reverse();
  }

  /** Delete a removed job's history. */
  async removeRuns(jobId: string): Promise<void> {
    await rm(this.runFile(jobId), { force: true }).catch(() => undefined);
  }
}
