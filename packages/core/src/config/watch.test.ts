import { mkdirSync, mkdtempSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createConfigStore } from "./config-store.js";
import {
  type ConfigChange,
  type ConfigWatcher,
  classifyConfigPath,
  planReload,
  watchConfig,
} from "./watch.js";

const open: { close(): void }[] = [];
afterEach(() => {
  for (const item of open.splice(0)) item.close();
});

function setup(text: string) {
  const root = mkdtempSync(join(tmpdir(), "openclaw-watch-"));
  const state = join(root, "state");
  mkdirSync(state);
  const file = join(state, "openclaw.json");
  writeFileSync(file, text);
  return {
    file,
    state,
    options: {
      env: { HOME: root, OPENCLAW_STATE_DIR: state } as NodeJS.ProcessEnv,
      cwd: root,
      applyEnv: false,
      debounceMs: 20,
    },
  };
}

function next<T>(watcher: ConfigWatcher, event: "change" | "error"): Promise<T> {
  return new Promise((resolve) => watcher.once(event, resolve as never));
}

/** Write like an editor does: to a temp file, then rename over the config. */
function editorSave(file: string, text: string) {
  writeFileSync(`${file}.swp`, text);
  renameSync(`${file}.swp`, file);
}

describe("classification (spec §3.5)", () => {
  it("by longest prefix; unknown paths restart", () => {
    expect(classifyConfigPath("gateway.port")).toBe("restart");
    expect(classifyConfigPath("gateway.reload.mode")).toBe("hot");
    expect(classifyConfigPath("gateway.auth.token")).toBe("hot");
    expect(classifyConfigPath("channels.telegram.allowFrom")).toBe("hot");
    expect(classifyConfigPath("plugins.entries.x.enabled")).toBe("restart");
    expect(classifyConfigPath("somethingNew.x")).toBe("restart");
    expect(classifyConfigPath("meta.lastTouchedAt")).toBe("none");
    expect(
      classifyConfigPath("channels.telegram.webhookUrl", [["channels.telegram.webhookUrl", "restart"]]),
    ).toBe("restart");
  });

  it("modes hybrid | hot | restart | off", () => {
    const paths = ["logging.level", "gateway.port"];
    expect(planReload(paths, "hybrid").action).toBe("restart");
    expect(planReload(["logging.level"], "hybrid").action).toBe("hot");
    expect(planReload(paths, "hot")).toMatchObject({ action: "hot", restartPaths: ["gateway.port"] });
    expect(planReload(["logging.level"], "restart").action).toBe("restart");
    expect(planReload(paths, "off").action).toBe("none");
  });
});

describe("watchConfig", () => {
  it("a valid edit is announced with its diff and plan", async () => {
    const { file, options } = setup('{ logging: { level: "info" } }');
    const watcher = watchConfig(options);
    open.push(watcher);
    const changed = next<ConfigChange>(watcher, "change");
    editorSave(file, '{ logging: { level: "debug" }, gateway: { port: 19999 } }');
    const change = await changed;
    expect(change.changedPaths.sort()).toEqual(["gateway.port", "logging.level"]);
    expect(change).toMatchObject({
      action: "restart",
      hotPaths: ["logging.level"],
      restartPaths: ["gateway.port"],
      mode: "hybrid",
    });
    expect(watcher.current.config.logging.level).toBe("debug");
  });

  it("an invalid edit is reported and the last good config stays live", async () => {
    const { file, options } = setup('{ logging: { level: "info" } }');
    const watcher = watchConfig(options);
    open.push(watcher);
    const failed = next<Error>(watcher, "error");
    writeFileSync(file, '{ logging: { level: "loud" } }');
    const error = await failed;
    expect(error.message).toContain("logging.level");
    expect(watcher.current.config.logging.level).toBe("info");
    const changed = next<ConfigChange>(watcher, "change");
    writeFileSync(file, '{ logging: { level: "warn" } }');
    expect((await changed).loaded.config.logging.level).toBe("warn");
  });

  it("edits of an included file are seen", async () => {
    const { file, state, options } = setup('{ $include: "./parts/logging.json5" }');
    mkdirSync(join(state, "parts"));
    writeFileSync(join(state, "parts", "logging.json5"), '{ logging: { level: "info" } }');
    writeFileSync(file, '{ $include: "./parts/logging.json5" }');
    const watcher = watchConfig(options);
    open.push(watcher);
    const changed = next<ConfigChange>(watcher, "change");
    writeFileSync(join(state, "parts", "logging.json5"), '{ logging: { level: "error" } }');
    expect((await changed).changedPaths).toEqual(["logging.level"]);
  });
});

describe("watchConfig: .env and secret files", () => {
  it("editing the state dir .env reloads: ${VAR} values follow the new file (process env updated, never clobbering)", async () => {
    const { state, options } = setup('{ gateway: { auth: { mode: "token", token: "${GW_TOKEN}" } } }');
    writeFileSync(join(state, ".env"), "GW_TOKEN=first-token\nUNRELATED=1\n");
    // the gateway's way: loads apply .env values to its environment (here a private object)
    const env: NodeJS.ProcessEnv = { ...options.env, ALREADY_SET: "from-shell" };
    const watcher = watchConfig({ ...options, env, applyEnv: true });
    open.push(watcher);
    expect(watcher.current.config.gateway.auth.token).toBe("first-token");
    expect(env.GW_TOKEN).toBe("first-token");
    const changed = next<ConfigChange>(watcher, "change");
    editorSave(join(state, ".env"), "GW_TOKEN=second-token\nUNRELATED=1\nALREADY_SET=from-dotenv\n");
    const change = await changed;
    expect(change.changedPaths).toEqual(["gateway.auth.token"]);
    expect(change.envChanged).toEqual(["ALREADY_SET", "GW_TOKEN"]);
    expect(change.action).toBe("hot");
    expect(watcher.current.config.gateway.auth.token).toBe("second-token");
    expect(env.GW_TOKEN).toBe("second-token");
    // a variable set outside the .env file is never overridden by it
    expect(env.ALREADY_SET).toBe("from-shell");
  });

  it("an env-only edit (a provider key the config does not mention) is announced as a hot change", async () => {
    const { state, options } = setup('{ logging: { level: "info" } }');
    const watcher = watchConfig(options);
    open.push(watcher);
    const changed = next<ConfigChange>(watcher, "change");
    // the .env file did not exist: creating it counts
    writeFileSync(join(state, ".env"), "OPENAI_API_KEY=sk-new\n");
    const change = await changed;
    expect(change).toMatchObject({ changedPaths: [], envChanged: ["OPENAI_API_KEY"], action: "hot" });
  });

  it("an invalid .env-driven value is skipped and the last good config stays live", async () => {
    const { state, options } = setup('{ logging: { level: "${LOG_LEVEL}" } }');
    writeFileSync(join(state, ".env"), "LOG_LEVEL=debug\n");
    const watcher = watchConfig(options);
    open.push(watcher);
    expect(watcher.current.config.logging.level).toBe("debug");
    const failed = next<Error>(watcher, "error");
    writeFileSync(join(state, ".env"), "LOG_LEVEL=loud\n");
    expect((await failed).message).toContain("logging.level");
    expect(watcher.current.config.logging.level).toBe("debug");
    const changed = next<ConfigChange>(watcher, "change");
    writeFileSync(join(state, ".env"), "LOG_LEVEL=warn\n");
    expect((await changed).loaded.config.logging.level).toBe("warn");
  });

  it('editing a { source: "file" } secret reloads the secret', async () => {
    const { state, options } = setup(
      '{ gateway: { auth: { mode: "token", token: { source: "file", id: "gw.token" } } } }',
    );
    writeFileSync(join(state, "gw.token"), "old-token\n", { mode: 0o600 });
    const watcher = watchConfig(options);
    open.push(watcher);
    const changed = next<ConfigChange>(watcher, "change");
    editorSave(join(state, "gw.token"), "new-token\n");
    const change = await changed;
    expect(change.changedPaths).toEqual(["gateway.auth.token"]);
    expect(watcher.current.config.gateway.auth.token).toBe("new-token");
  });
});

describe("createConfigStore (what the gateway uses)", () => {
  it("snapshot, guarded writes, change notifications, redaction", async () => {
    const { file, options } = setup('{ gateway: { auth: { token: "tok-123456" } } }');
    const store = createConfigStore(options);
    open.push(store);
    const first = store.snapshot();
    expect(first).toMatchObject({ valid: true, exists: true, path: file });
    expect(first.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(
      (store.redactedSnapshot().config as { gateway: { auth: { token: string } } }).gateway.auth.token,
    ).toBe("__OPENCLAW_REDACTED__");
    const seen: number[] = [];
    store.onChange((snapshot) => seen.push((snapshot.config as { gateway: { port: number } }).gateway.port));
    const patched = await store.patch({ gateway: { port: 18800 } }, first.hash);
    expect(seen).toEqual([18800]);
    await expect(store.patch({ gateway: { port: 18801 } }, first.hash)).rejects.toMatchObject({
      code: "CONFIG_STALE",
    });
    const replaced = await store.set("{ gateway: { port: 18802 } }\n", patched.hash);
    expect(replaced.raw).toBe("{ gateway: { port: 18802 } }\n");
    await expect(store.set("{ gateway: ", replaced.hash)).rejects.toMatchObject({ code: "CONFIG_PARSE" });
    const schema = store.schema() as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties)).toContain("gateway");
  });

  it("an invalid file gives a snapshot with valid:false and the issues", () => {
    const { options } = setup("{ gateway: { port: 'x' } }");
    const store = createConfigStore(options);
    open.push(store);
    expect(store.snapshot()).toMatchObject({
      valid: false,
      issues: [expect.objectContaining({ path: "gateway.port" })],
    });
  });
});
