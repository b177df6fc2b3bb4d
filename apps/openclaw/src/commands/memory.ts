import type { Command } from "commander";

export interface MemoryFlags {
  agent?: string;
  json?: boolean;
  force?: boolean;
  maxResults?: string;
  minScore?: string;
  probe?: boolean;
}

/** `openclaw memory status|index [--force]|search "<q>"`: the memory index, run locally. */
export function registerMemory(program: Command): void {
  const memory = program.command("memory").description("memory search index (MEMORY.md, memory/*.md)");
  memory
    .command("status")
    .description("index location, files and chunks, embedding provider and vector mode")
    .option("--agent <id>", "agent id (default: the default agent)")
    .option("--probe", "embed a test text to check the embedding provider")
    .option("--json", "output JSON")
    .action(async (options: MemoryFlags) => (await import("./memory-impl.js")).memoryStatus(options));
  memory
    .command("index")
    .description("index the memory files now (changed files only; --force rebuilds)")
    .option("--agent <id>", "agent id (default: the default agent)")
    .option("--force", "rebuild the whole index")
    .option("--json", "output JSON")
    .action(async (options: MemoryFlags) => (await import("./memory-impl.js")).memoryIndex(options));
  memory
    .command("search")
    .description("search memory by meaning and keywords")
    .argument("<query>", "what to look for")
    .option("--agent <id>", "agent id (default: the default agent)")
    .option("--max-results <n>", "most results (default memorySearch.query.maxResults, 6)")
    .option("--min-score <x>", "lowest score kept (0–1)")
    .option("--json", "output JSON")
    .action(async (query: string, options: MemoryFlags) =>
      (await import("./memory-impl.js")).memorySearch(query, options),
    );
}
