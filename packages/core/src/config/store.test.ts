import { mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { staticGraph } from "../../../../scripts/import-graph.js";
import { loadConfigSync } from "./load.js";
import { type ConfigStore, type ConfigStoreSnapshot, isCurrentLoad, openConfigStore } from "./store.js";

const open: ConfigStore[] = [];
afterEach(() => {
  for (const store of open.splice(0)) store.close();
});

function setup(text: string) {
  const root = mkdtempSync(join(tmpdir(), "openclaw-store-"));
  const state = join(root, "state");
  mkdirSync(state);
  const file = join(state, "openclaw.json");
  writeFileSync(file, text);
  return {
    file,
    options: {
      env: { HOME: root, OPENCLAW_STATE_DIR: state } as NodeJS.ProcessEnv,
      cwd: root,
      applyEnv: false,
      debounceMs: 20,
    },
  };
}

/** A load result as the re-executed gateway receives it: through JSON. */
function handedOver(options: ReturnType<typeof setup>["options"]) {
  return JSON.parse(JSON.stringify(loadConfigSync(options))) as ReturnType<typeof loadConfigSync>;
}

function nextChange(store: ConfigStore): Promise<ConfigStoreSnapshot> {
  return new Promise((done) => {
    const off = store.onChange((snapshot) => {
      off();
      done(snapshot);
    });
  });
}

describe("openConfigStore (the gateway's store without validation code at start)", () => {
  it("serves a handed-over config as is, with defaults, when the file is unchanged", async () => {
    const { file, options } = setup('{ gateway: { port: 19555, auth: { token: "t-1" } } }');
    const preloaded = handedOver(options);
    const store = await openConfigStore({ ...options, preloaded });
    open.push(store);
    const snapshot = store.snapshot();
    expect(snapshot.valid).toBe(true);
    expect(snapshot.path).toBe(file);
    expect((snapshot.config.gateway as { port: number }).port).toBe(19555);
    // defaults the loader filled in travel with it
    expect((snapshot.config.gateway as { bind: string }).bind).toBe("loopback");
    expect(snapshot.hash).toBe(`sha256:${preloaded.hash}`);
  });

  it("ignores a handed-over config whose file changed since, and loads the file", async () => {
    const { file, options } = setup("{ gateway: { port: 19555 } }");
    const preloaded = handedOver(options);
    writeFileSync(file, "{ gateway: { port: 19556 } }");
    expect(isCurrentLoad(preloaded)).toBe(false);
    const store = await openConfigStore({ ...options, preloaded });
    open.push(store);
    expect((store.snapshot().config.gateway as { port: number }).port).toBe(19556);
  });

  it("writes through the guarded write path (validation loads on demand)", async () => {
    const { file, options } = setup("// my gateway\n{ gateway: { port: 19555 } }\n");
    const store = await openConfigStore({ ...options, preloaded: handedOver(options) });
    open.push(store);
    const after = await store.setPath("gateway.auth.token", "generated-token");
    expect((after.config.gateway as { auth: { token: string } }).auth.token).toBe("generated-token");
    const text = readFileSync(file, "utf8");
    expect(text).toContain("// my gateway");
    expect(text).toContain("generated-token");
    await expect(store.setPath("gateway.port", "not a port")).rejects.toThrow(/gateway\.port/);
    expect((store.snapshot().config.gateway as { port: number }).port).toBe(19555);
  });

  it("sees an editor's save, and keeps the last good config on an invalid one", async () => {
    const { file, options } = setup("{ gateway: { port: 19555 } }");
    const store = await openConfigStore({ ...options, preloaded: handedOver(options) });
    open.push(store);
    const errors: Error[] = [];
    store.onError((error) => errors.push(error));
    const changed = nextChange(store);
    writeFileSync(`${file}.swp`, "{ gateway: { port: 19557 } }");
    renameSync(`${file}.swp`, file);
    expect(((await changed).config.gateway as { port: number }).port).toBe(19557);

    const rejected = new Promise<Error>((done) => store.onError(done));
    writeFileSync(file, "{ gateway: { port: -4 } }");
    expect((await rejected).message).toMatch(/gateway\.port/);
    expect((store.snapshot().config.gateway as { port: number }).port).toBe(19557);
  });

  it("answers schema() with the config's JSON Schema", async () => {
    const { options } = setup("{}");
    const store = await openConfigStore({ ...options, preloaded: handedOver(options) });
    open.push(store);
    const schema = (await store.schema()) as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(["gateway", "agents", "channels"]));
  });

  it("without a handed-over config, loads (and reports an invalid file) like createConfigStore", async () => {
    const { options } = setup("{ gateway: { port: 'x' } }");
    const store = await openConfigStore(options);
    open.push(store);
    expect(store.snapshot().valid).toBe(false);
    expect(store.snapshot().issues?.[0]?.path).toBe("gateway.port");
  });
});

describe("@openclaw/core/config/store stays light", () => {
  it("reaches neither zod nor the schema, loader or write path through static imports", () => {
    const { files, packages } = staticGraph(join(import.meta.dirname, "store.ts"));
    expect([...packages]).not.toContain("zod");
    // the watcher's empty-file check and the rejected-edit line lookup parse no JSON5 either
    expect([...packages]).not.toContain("json5");
    const names = [...files].map((file) => file.slice(import.meta.dirname.length + 1));
    expect(names).toContain("watcher.ts");
    for (const heavy of ["schema.ts", "validate.ts", "load.ts", "write.ts", "config-store.ts"])
      expect(names).not.toContain(heavy);
  });
});
