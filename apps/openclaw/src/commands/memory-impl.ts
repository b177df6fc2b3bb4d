import type { MemoryManager, SyncProgress } from "@openclaw/core/memory";
import type { MemoryFlags } from "./memory.js";

function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

class MemoryCliError extends Error {}

/** The local memory manager for the config's agents (no watcher: one-shot commands). */
async function open(flags: MemoryFlags): Promise<{ manager: MemoryManager; agentId: string }> {
  const { getDefaultAgentId, loadConfig, listAgentIds, resolveAgent } = await import("@openclaw/core/config");
  const loaded = await loadConfig({});
  const config = loaded.config as never;
  const ids = listAgentIds(config);
  const agentId = (flags.agent ?? getDefaultAgentId(config)).toLowerCase();
  if (flags.agent && !ids.includes(agentId))
    throw new MemoryCliError(`unknown agent "${flags.agent}" (agents: ${ids.join(", ")})`);
  const { loadProviders } = await import("./models-providers.js");
  const { providerFactories } = await loadProviders().catch(() => ({ providerFactories: {} }));
  const { MemoryManager } = await import("@openclaw/core/memory");
  const manager = new MemoryManager({
    config: () => loaded.config as Record<string, unknown>,
    stateDir: loaded.paths.stateDir,
    factories: providerFactories,
    workspaceDir: (id) => resolveAgent(config, id, loaded.paths).workspace,
    watch: false,
  });
  return { manager, agentId };
}

async function run(flags: MemoryFlags, work: (manager: MemoryManager, agentId: string) => Promise<void>) {
  let manager: MemoryManager | undefined;
  try {
    const opened = await open(flags);
    manager = opened.manager;
    await work(opened.manager, opened.agentId);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`openclaw memory: ${message}\n`);
    process.exitCode = error instanceof MemoryCliError ? 2 : 1;
  } finally {
    await manager?.close();
  }
}

function bytes(value: number): string {
  return value >= 1024 * 1024 ? `${(value / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(value / 1024)} KB`;
}

export async function memoryStatus(flags: MemoryFlags): Promise<void> {
  await run(flags, async (manager, agentId) => {
    const index = await manager.index(agentId);
    let probe: { ok: boolean; error?: string } | undefined;
    if (flags.probe && index.embedder)
      probe = await index.embedder.embed(["openclaw memory probe"]).then(
        () => ({ ok: true }),
        (error: unknown) => ({ ok: false, error: (error as Error).message }),
      );
    const status = await index.status();
    if (flags.json) return print(JSON.stringify({ ...status, ...(probe ? { probe } : {}) }, null, 2));
    print(
      [
        `Memory index for agent ${agentId}`,
        `  database   ${status.dbPath} (${bytes(status.dbBytes)})`,
        `  workspace  ${status.workspaceDir}`,
        `  files      ${status.files}   chunks ${status.chunks}   with vectors ${status.embedded}`,
        `  embeddings ${status.provider ? `${status.provider} ${status.model}` : "none (keyword search only)"}${status.embeddingReason ? `\n             ${status.embeddingReason}` : ""}`,
        `  vectors    ${status.vector.mode === "sqlite-vec" ? "sqlite-vec" : `in-process cosine${status.vector.reason ? ` (${status.vector.reason})` : ""}`}`,
        `  sources    ${status.sources.join(", ")}${status.extraPaths.length ? ` + ${status.extraPaths.join(", ")}` : ""}`,
        ...(probe ? [`  probe      ${probe.ok ? "ok" : `failed: ${probe.error}`}`] : []),
        ...(status.files === 0 ? ["Run `openclaw memory index` to build it."] : []),
      ].join("\n"),
    );
  });
}

/** A progress bar on a terminal's stderr; plain lines (every 10 %) otherwise. */
function progressReporter(): { update(progress: SyncProgress): void; done(): void } {
  const tty = process.stderr.isTTY === true;
  let lastDecile = -1;
  return {
    update(progress) {
      if (progress.phase !== "index" && progress.phase !== "embed") return;
      const total = Math.max(progress.total, 1);
      const ratio = Math.min(1, progress.done / total);
      const label = progress.phase === "embed" ? "embedding" : "indexing";
      if (tty) {
        const width = 24;
        const filled = Math.round(ratio * width);
        const file = progress.file ? ` ${progress.file.slice(-40)}` : "";
        process.stderr.write(
          `\r\u001b[2K${label} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${progress.done}/${progress.total}${file}`,
        );
        return;
      }
      const decile = Math.floor(ratio * 10);
      if (decile !== lastDecile) {
        lastDecile = decile;
        process.stderr.write(`${label} ${progress.done}/${progress.total}\n`);
      }
    },
    done() {
      if (tty) process.stderr.write("\r\u001b[2K");
    },
  };
}

export async function memoryIndex(flags: MemoryFlags): Promise<void> {
  await run(flags, async (manager, agentId) => {
    const reporter = progressReporter();
    const report = await manager.sync(agentId, { force: flags.force, progress: (p) => reporter.update(p) });
    reporter.done();
    const status = await manager.status(agentId);
    if (flags.json) return print(JSON.stringify({ agentId, ...report, status }, null, 2));
    print(
      `Indexed ${report.indexed} file(s) (${report.chunks} chunks), ${report.unchanged} unchanged, ${report.removed} removed${report.rebuilt ? " — full rebuild" : ""} in ${report.durationMs} ms.`,
    );
    print(
      `Index: ${status.files} files, ${status.chunks} chunks, ${status.embedded} with vectors (${status.dbPath}).`,
    );
    if (report.embeddingError)
      print(`Embeddings failed: ${report.embeddingError} (keyword search still works).`);
    else if (status.embeddingReason) print(`Embeddings: ${status.embeddingReason}.`);
  });
}

export async function memorySearch(query: string, flags: MemoryFlags): Promise<void> {
  await run(flags, async (manager, agentId) => {
    const maxResults = flags.maxResults === undefined ? undefined : Number(flags.maxResults);
    const minScore = flags.minScore === undefined ? undefined : Number(flags.minScore);
    if (maxResults !== undefined && (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 100))
      throw new MemoryCliError(`--max-results must be an integer from 1 to 100, got "${flags.maxResults}"`);
    if (minScore !== undefined && !(minScore >= 0 && minScore <= 1))
      throw new MemoryCliError(`--min-score must be a number from 0 to 1, got "${flags.minScore}"`);
    if (!query.trim()) throw new MemoryCliError("the query must not be empty");
    const answer = await manager.search(agentId, query, { maxResults, minScore });
    if (flags.json) return print(JSON.stringify({ agentId, query, ...answer }, null, 2));
    if (answer.reason) process.stderr.write(`note: ${answer.reason}\n`);
    if (answer.results.length === 0) return print("No matching memory.");
    for (const hit of answer.results)
      print(
        `${hit.path}:${hit.startLine}-${hit.endLine}  score ${hit.score.toFixed(3)}\n${hit.snippet.trim()}\n`,
      );
  });
}
