import path from "node:path";
import type { ModelApi } from "@openclaw/protocol";
import type { ProviderFactory } from "../models/provider-registry.js";
import { resolveEmbedder } from "./embeddings.js";
import {
  MemoryIndex,
  type MemoryIndexStatus,
  type MemorySearchAnswer,
  type SyncProgress,
  type SyncReport,
} from "./service.js";
import { type MemorySettings, resolveMemorySettings } from "./settings.js";

export interface MemoryManagerOptions {
  /** The effective config (re-read on every call through this function). */
  config: () => Record<string, unknown>;
  stateDir: string;
  env?: NodeJS.ProcessEnv;
  /** The provider packages' factories by wire API, for embeddings. */
  factories?: Partial<Record<ModelApi, ProviderFactory>>;
  fetch?: typeof fetch;
  workspaceDir: (agentId: string) => string;
  /** Start a file watcher per opened index (default true; the CLI's one-shot commands pass false). */
  watch?: boolean;
}

/** Memory search is off for this agent (`memorySearch.enabled: false` or `plugins.slots.memory: "none"`). */
export class MemoryDisabledError extends Error {
  readonly code = "MEMORY_DISABLED" as const;
}

function memorySlotDisabled(config: Record<string, unknown>): boolean {
  const plugins = config.plugins as { slots?: { memory?: unknown } } | undefined;
  return plugins?.slots?.memory === "none";
}

/** The open memory indexes of a process, one per agent, reopened when their settings change. */
export class MemoryManager {
  private readonly indexes = new Map<string, { key: string; index: MemoryIndex }>();

  constructor(private readonly options: MemoryManagerOptions) {}

  settings(agentId: string): MemorySettings {
    return resolveMemorySettings(
      this.options.config(),
      agentId,
      this.options.stateDir,
      this.options.env ?? process.env,
    );
  }

  /** The agent's index (opened on first use). Throws MemoryDisabledError when memory search is off. */
  async index(agentId: string): Promise<MemoryIndex> {
    const config = this.options.config();
    const settings = this.settings(agentId);
    if (!settings.enabled || memorySlotDisabled(config))
      throw new MemoryDisabledError(`memory search is disabled for agent "${agentId}"`);
    const embedder = resolveEmbedder(settings, {
      config,
      env: this.options.env ?? process.env,
      factories: this.options.factories,
      fetch: this.options.fetch,
    });
    const key = JSON.stringify([settings, "embed" in embedder ? embedder.fingerprint : embedder.reason]);
    const open = this.indexes.get(agentId);
    if (open?.key === key) return open.index;
    if (open) {
      this.indexes.delete(agentId);
      await open.index.close();
    }
    const index = new MemoryIndex({
      agentId,
      workspaceDir: this.options.workspaceDir(agentId),
      settings,
      embedder,
      sessionsDir: path.join(this.options.stateDir, "agents", agentId, "sessions"),
    });
    index.on("error", () => {});
    if (this.options.watch !== false) index.watch();
    this.indexes.set(agentId, { key, index });
    return index;
  }

  async search(
    agentId: string,
    query: string,
    options?: { maxResults?: number; minScore?: number },
  ): Promise<MemorySearchAnswer> {
    return (await this.index(agentId)).search(query, options);
  }

  async sync(
    agentId: string,
    options?: { force?: boolean; progress?: (progress: SyncProgress) => void },
  ): Promise<SyncReport> {
    return (await this.index(agentId)).sync(options);
  }

  /** Sync at session start when configured (errors are the index's, never the turn's). */
  async syncForSession(agentId: string): Promise<void> {
    try {
      const index = await this.index(agentId);
      if (index.options.settings.sync.onSessionStart) await index.sync();
    } catch {}
  }

  /** An indexed file's text by its shown path (see MemoryIndex.readIndexed). */
  async read(agentId: string, shown: string): Promise<string | undefined> {
    return (await this.index(agentId)).readIndexed(shown);
  }

  async status(agentId: string): Promise<MemoryIndexStatus> {
    return (await this.index(agentId)).status();
  }

  async close(): Promise<void> {
    const open = [...this.indexes.values()];
    this.indexes.clear();
    await Promise.all(open.map(({ index }) => index.close()));
  }
}
