// Config and state in a throwaway state dir:
// pnpm exec tsx --conditions=@openclaw/source packages/core/examples/config-and-state.ts
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig, redactConfig, setConfigValue, watchConfig } from "@openclaw/core/config";
import { createFileStateStore, SessionStore } from "@openclaw/core/state";

const stateDir = mkdtempSync(join(tmpdir(), "openclaw-example-"));
const env: Record<string, string | undefined> = { ...process.env, OPENCLAW_STATE_DIR: stateDir };
writeFileSync(
  join(stateDir, "openclaw.json"),
  `// written by hand
{
  gateway: { auth: { token: "\${MY_GATEWAY_TOKEN}" } },
  models: { defaults: { model: "anthropic/claude-sonnet-4-5" } }, // FAQ spelling
  channels: { telegram: { botToken: "123:abc", allowFrom: ["123456789"] } },
}
`,
);
env.MY_GATEWAY_TOKEN = "example-token-0123456789";

const loaded = await loadConfig({ env });
console.log("port:", loaded.config.gateway.port, "model:", loaded.config.agents.defaults.model.primary);
console.log(
  "alternate spellings:",
  loaded.legacyKeys.map((use) => `${use.path} → ${use.canonical}`),
);
console.log("redacted gateway.auth:", redactConfig(loaded.config).gateway.auth);

const watcher = watchConfig({ env, debounceMs: 50 });
const changed = new Promise((resolve) => watcher.once("change", resolve));
const result = await setConfigValue("gateway.port", 19000, { env, baseHash: loaded.hash });
console.log("changed:", result.changedPaths, "backup:", result.backupPath);
const change = (await changed) as { action: string; restartPaths: string[] };
console.log("reload plan:", change.action, change.restartPaths);
console.log(readFileSync(join(stateDir, "openclaw.json"), "utf8"));
watcher.close();

const sessions = new SessionStore({ state: createFileStateStore(stateDir) });
await sessions.ensure("main");
await sessions.append("main", [{ type: "message", message: { role: "user", content: "hello" } }]);
const transcript = await sessions.readTranscript("main");
console.log("transcript entries:", transcript.entries.length, "file:", transcript.path);
await sessions.close();
