// Child process for the kill -9 tests: performs writes in a loop and reports each completed
// one on stdout ("ok <n>") until the parent kills it at a random moment.
import { SessionStore } from "../state/session-store.js";
import { createFileStateStore } from "../state/state-store.js";

const [mode, dir, startText] = process.argv.slice(2);
const start = Number(startText ?? 0);

async function main(): Promise<void> {
  const env = { HOME: dir, OPENCLAW_STATE_DIR: dir } as NodeJS.ProcessEnv;
  if (mode === "config") {
    // loaded only in this mode so the state scenarios start fast
    const { setConfigValue } = await import("../config/write.js");
    process.stdout.write("ready\n");
    for (let n = start; ; n++) {
      await setConfigValue("gateway.port", 20000 + n, { env, applyEnv: false, cwd: dir!, backups: 5 });
      process.stdout.write(`ok ${n}\n`);
    }
  }
  if (mode === "concurrent-set") {
    // two of these run at once against one file: every key must survive (no lost update)
    const { setConfigValue } = await import("../config/write.js");
    const [tag, count] = process.argv.slice(5);
    for (let n = 0; n < Number(count); n++)
      await setConfigValue(["channels", `${tag}${n}`, "enabled"], true, { env, applyEnv: false, cwd: dir!, backups: 2 });
    process.stdout.write("done\n");
    return;
  }
  const store = new SessionStore({ state: createFileStateStore(dir!) });
  if (mode === "index") {
    process.stdout.write("ready\n");
    for (let n = start; ; n++) {
      await store.create(`agent:main:s${n}`, { label: `n${n}` });
      process.stdout.write(`ok ${n}\n`);
    }
  }
  if (mode === "transcript") {
    await store.ensure("agent:main:main");
    process.stdout.write("ready\n");
    for (let n = start; ; n++) {
      await store.append("agent:main:main", [
        { type: "message", message: { role: "user", content: `message ${n} ${"x".repeat(n % 3000)}` } },
      ]);
      process.stdout.write(`ok ${n}\n`);
    }
  }
  throw new Error(`unknown mode ${mode}`);
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
