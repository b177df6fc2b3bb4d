import { mkdirSync, mkdtempSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createConfigStore, eagerStoreDeps, initialSnapshot } from "./config-store.js";
import { buildConfigStore } from "./store-core.js";
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

describe("one config change, one notification", () => {
  // The store's own write and the watcher's event for that same file are two paths to one change.
  // The watcher's timer is held off (long debounce) and its check run by hand, in both orders.
  function storeWithWatcher(text: string, checkBeforeReturn = false) {
    const { options } = setup(text);
    let watcher: ConfigWatcher | undefined;
    const deps = {
      ...eagerStoreDeps,
      watch: (watchOptions: Parameters<typeof eagerStoreDeps.watch>[0]) => {
        watcher = watchConfig({ ...watchOptions, debounceMs: 60_000 });
        return watcher;
      },
      patchConfig: async (...args: Parameters<typeof eagerStoreDeps.patchConfig>) => {
        const result = await eagerStoreDeps.patchConfig(...args);
        // the file event of this write is handled before the write returns to the store
        if (checkBeforeReturn) watcher!.check();
        return result;
      },
    };
    const store = buildConfigStore(initialSnapshot(options), options, deps);
    open.push(store);
    const seen: number[] = [];
    store.onChange((snapshot) => seen.push(snapshot.config.gateway ? 1 : 0));
    return { store, seen, watcher: () => watcher! };
  }

  it("a write through the store, then the watcher sees its file event: one notification", async () => {
    const { store, seen, watcher } = storeWithWatcher("{ gateway: { port: 18789 } }\n");
    await store.patch({ gateway: { port: 18790 } });
    expect(watcher().check()).toBeUndefined();
    expect(seen).toHaveLength(1);
    expect(store.snapshot().config.gateway).toMatchObject({ port: 18790 });
  });

  it("the watcher handles the file event before the write returns: still one notification", async () => {
    const { store, seen } = storeWithWatcher("{ gateway: { port: 18789 } }\n", true);
    await store.patch({ gateway: { port: 18791 } });
    expect(seen).toHaveLength(1);
    expect(store.snapshot().config.gateway).toMatchObject({ port: 18791 });
  });

  it("a write that changes nothing announces nothing", async () => {
    const { store, seen, watcher } = storeWithWatcher("{ gateway: { port: 18789 } }\n");
    await store.patch({ gateway: { port: 18789 } });
    watcher().check();
    expect(seen).toHaveLength(0);
  });
});

describe("rejected edits while watching", () => {
  it("an empty file is an error, not an empty config; the store reports it and keeps the last good config", async () => {
    const { file, options } = setup("{ gateway: { port: 18795 } }\n");
    const store = createConfigStore(options);
    open.push(store);
    const changes: unknown[] = [];
    store.onChange((snapshot) => changes.push(snapshot));
    const rejected = new Promise<Error>((resolve) => store.onError((error) => resolve(error)));
    writeFileSync(file, "");
    expect((await rejected).message).toMatch(/the file is empty/);
    const snapshot = store.snapshot();
    expect(snapshot.valid).toBe(false);
    expect(snapshot.raw).toBe("");
    expect(snapshot.issues).toEqual([expect.objectContaining({ file, line: 1 })]);
    expect(snapshot.config.gateway).toMatchObject({ port: 18795 });
    expect(changes).toHaveLength(0);
  });

  it("a schema error points at the line of its key; undoing the edit makes the store valid again without a change", async () => {
    const good = "{\n  gateway: {\n    port: 18796,\n  },\n}\n";
    const { file, options } = setup(good);
    const store = createConfigStore(options);
    open.push(store);
    const changes: unknown[] = [];
    store.onChange((snapshot) => changes.push(snapshot));
    const rejected = new Promise<Error>((resolve) => store.onError((error) => resolve(error)));
    editorSave(file, '{\n  gateway: {\n    port: "high",\n  },\n}\n');
    await rejected;
    expect(store.snapshot().issues).toEqual([
      expect.objectContaining({ path: "gateway.port", line: 3, file }),
    ]);
    editorSave(file, good);
    const deadline = Date.now() + 10_000;
    while (!store.snapshot().valid && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(store.snapshot().valid).toBe(true);
    expect(changes).toHaveLength(0);
  });
});
