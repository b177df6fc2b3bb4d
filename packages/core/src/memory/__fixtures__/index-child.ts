// Indexes a workspace's memory files and prints one line per indexed file (the kill -9 test
// kills this process in the middle of a sync).
import { MemoryIndex } from "../service.js";
import { resolveMemorySettings } from "../settings.js";

const [workspaceDir, stateDir] = process.argv.slice(2) as [string, string];
const index = new MemoryIndex({
  agentId: "main",
  workspaceDir,
  settings: resolveMemorySettings({}, "main", stateDir, {}),
  embedder: { reason: "keyword only" },
});
index.on("indexer", (event: { state: string; threadId: number }) => {
  if (event.state === "started") process.stdout.write(`indexer worker ${event.threadId}\n`);
});
await index.sync({
  progress: (progress) => {
    if (progress.phase === "index") process.stdout.write(`indexed ${progress.done}\n`);
  },
});
process.stdout.write("finished\n");
await index.close();
