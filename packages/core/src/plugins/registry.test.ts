import { mkdir, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createPluginRegistry, type PluginRegistry } from "./index.js";

let root: string;
let stateDir: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "openclaw-plugins-"));
  stateDir = join(root, "state");
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A channel plugin module (plain ESM, no dependencies) with the given id and spec version. */
function channelModule(id: string, version = "v1", extra = ""): string {
  return `${extra}
export const plugin = {
  specificationVersion: ${JSON.stringify(version)},
  id: ${JSON.stringify(id)},
  meta: { label: ${JSON.stringify(id)} },
  capabilities: { chatTypes: ["direct"], threads: false, reactions: false, media: false, edits: false, maxTextLength: 1000 },
  config: { listAccountIds: () => ["default"], resolveAccount: (block) => block ?? {} },
  gateway: { startAccount: (ctx) => new Promise((r) => ctx.abortSignal.addEventListener("abort", r)) },
  outbound: { render: (ir) => ({ ir, text: ir.text }), sendText: async () => ({ messageId: "1" }) },
};
`;
}

async function writePlugin(
  dir: string,
  manifest: Record<string, unknown>,
  code: string,
  extensions: unknown = ["./index.js"],
): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "openclaw.plugin.json"), JSON.stringify(manifest));
  await writeFile(
    join(dir, "package.json"),
    JSON.stringify({
      name: `${manifest.id}-pkg`,
      version: "1.2.3",
      type: "module",
      openclaw: { extensions },
    }),
  );
  await writeFile(join(dir, "index.js"), code);
  return dir;
}

function registry(config: Record<string, unknown> = {}, logged: string[] = []): PluginRegistry {
  const log = (message: string) => logged.push(message);
  return createPluginRegistry({
    config,
    stateDir,
    configDir: root,
    logger: { debug: log, info: log, warn: log, error: log },
  });
}

describe("discovery (manifests only)", () => {
  it("finds installed plugins and plugins.load.paths, without importing them", async () => {
    await writePlugin(
      join(stateDir, "extensions", "alpha"),
      { id: "alpha", kind: "channel" },
      'throw new Error("imported!")',
    );
    await writePlugin(
      join(root, "local", "beta"),
      { id: "beta", kind: "channel", channels: ["beta-chat"] },
      "",
    );
    const plugins = registry({ plugins: { load: { paths: ["./local"] } } });
    expect(plugins.list().map((r) => [r.id, r.origin, r.state, r.version])).toEqual([
      ["beta", "path", "enabled", "1.2.3"],
      ["alpha", "installed", "enabled", "1.2.3"],
    ]);
    expect(plugins.channelIds()).toEqual(["beta-chat", "alpha"]);
    expect(plugins.forChannel("beta-chat")?.id).toBe("beta");
  });

  it("reports a missing load path and an invalid manifest, and keeps the others", async () => {
    await writePlugin(join(stateDir, "extensions", "nokind"), { id: "nokind" }, "");
    await writePlugin(join(stateDir, "extensions", "outside"), { id: "outside", kind: "channel" }, "", [
      "../../x.js",
    ]);
    await writePlugin(
      join(stateDir, "extensions", "good"),
      { id: "good", kind: "channel" },
      channelModule("good"),
    );
    const logged: string[] = [];
    const plugins = registry({ plugins: { load: { paths: ["./missing"] } } }, logged);
    const issues = Object.fromEntries(plugins.issues().map((i) => [i.id, i.code]));
    expect(issues).toEqual({
      missing: "PLUGIN_NOT_FOUND",
      nokind: "PLUGIN_MANIFEST_INVALID",
      outside: "PLUGIN_MANIFEST_INVALID",
    });
    expect(plugins.issues().find((i) => i.id === "nokind")?.message).toMatch(
      /"kind" must be "channel" or "provider"/,
    );
    expect(plugins.issues().find((i) => i.id === "outside")?.message).toMatch(/points outside the package/);
    expect(logged.join("\n")).toMatch(/plugin nokind not loaded/);
    expect((await plugins.loadChannels()).map((p) => p.id)).toEqual(["good"]);
  });

  it("an id clash: the first copy in precedence order loads, the other is PLUGIN_ID_CONFLICT", async () => {
    await writePlugin(join(root, "one"), { id: "dup", kind: "channel" }, channelModule("dup"));
    await writePlugin(join(root, "two"), { id: "dup", kind: "channel" }, channelModule("dup"));
    await writePlugin(
      join(stateDir, "extensions", "other"),
      { id: "other", kind: "channel", channels: ["dup"] },
      "",
    );
    const plugins = registry({ plugins: { load: { paths: [join(root, "one"), join(root, "two")] } } });
    const [first, second, third] = plugins.list();
    expect(first).toMatchObject({ dir: join(root, "one"), state: "enabled" });
    expect(second).toMatchObject({
      dir: join(root, "two"),
      state: "error",
      error: { code: "PLUGIN_ID_CONFLICT" },
    });
    expect(second?.error?.message).toContain(
      `plugin id "dup" is already provided by the path plugin "dup" (${join(root, "one")})`,
    );
    expect(third).toMatchObject({ id: "other", state: "error", error: { code: "PLUGIN_ID_CONFLICT" } });
    expect(third?.error?.message).toMatch(/channel "dup" is already provided/);
    expect((await plugins.loadChannels(["dup"])).length).toBe(1);
  });

  it("plugins.entries.<id>.enabled, deny and allow turn plugins off (disabled plugins claim no id)", async () => {
    for (const id of ["a", "b", "c"])
      await writePlugin(join(stateDir, "extensions", id), { id, kind: "channel" }, channelModule(id));
    const plugins = registry({
      plugins: { allow: ["a", "b"], deny: ["b"], entries: { a: { enabled: false } } },
    });
    expect(plugins.list().map((r) => [r.id, r.state, r.disabledReason])).toEqual([
      ["a", "disabled", "plugins.entries.a.enabled is false"],
      ["b", "disabled", "listed in plugins.deny"],
      ["c", "disabled", "not listed in plugins.allow"],
    ]);
    expect(plugins.channelIds()).toEqual([]);
    expect(registry({ plugins: { enabled: false } }).channelIds()).toEqual([]);
  });
});

describe("channelProblem: why a configured channel has no working plugin", () => {
  it("names the failure, the disabling key, or the missing plugin", async () => {
    await writePlugin(
      join(stateDir, "extensions", "off"),
      { id: "off", kind: "channel" },
      channelModule("off"),
    );
    await writePlugin(
      join(stateDir, "extensions", "boom"),
      { id: "boom", kind: "channel" },
      'throw new Error("x");',
    );
    await writePlugin(join(stateDir, "extensions", "ok"), { id: "ok", kind: "channel" }, channelModule("ok"));
    const plugins = registry({ plugins: { entries: { off: { enabled: false } } } });
    await plugins.loadChannels();
    expect(plugins.channelProblem("ok")).toBeUndefined();
    expect(plugins.channelProblem("off")).toBe(
      'plugin "off" is disabled (plugins.entries.off.enabled is false); openclaw plugins enable off',
    );
    expect(plugins.channelProblem("boom")).toMatch(/^plugin "boom" not loaded: PLUGIN_IMPORT_FAILED: /);
    expect(plugins.channelProblem("fax")).toMatch(/^no plugin provides channel "fax"/);
  });
});

describe("loading", () => {
  it("a plugin that throws on import is PLUGIN_IMPORT_FAILED, logged; the other channels load", async () => {
    await writePlugin(
      join(stateDir, "extensions", "boom"),
      { id: "boom", kind: "channel" },
      'throw new Error("kaboom at import");',
    );
    await writePlugin(
      join(stateDir, "extensions", "fine"),
      { id: "fine", kind: "channel" },
      channelModule("fine"),
    );
    const logged: string[] = [];
    const plugins = registry({}, logged);
    expect((await plugins.loadChannels()).map((p) => p.id)).toEqual(["fine"]);
    expect(plugins.get("boom")).toMatchObject({ state: "error", error: { code: "PLUGIN_IMPORT_FAILED" } });
    expect(plugins.get("boom")?.error?.message).toMatch(
      /plugin "boom" failed to load .*index\.js: kaboom at import/,
    );
    expect(plugins.get("fine")?.state).toBe("loaded");
    expect((await registry().loadPlugin("boom"))?.error?.code).toBe("PLUGIN_IMPORT_FAILED");
    expect(await registry().loadPlugin("nope")).toBeUndefined();
    expect(plugins.forChannel("boom")?.error?.code).toBe("PLUGIN_IMPORT_FAILED");
    expect(logged.join("\n")).toMatch(/plugin boom not loaded: .*kaboom at import/);
  });

  it("a replaced copy (plugins install --force) is imported anew by the next registry", async () => {
    const target = join(stateDir, "extensions", "swap");
    await writePlugin(target, { id: "swap", kind: "channel" }, channelModule("swap"));
    expect((await registry().loadChannels())[0]?.meta.label).toBe("swap");
    await writePlugin(
      join(root, "next"),
      { id: "swap", kind: "channel" },
      channelModule("swap").replace('label: "swap"', 'label: "v2"'),
    );
    await rm(target, { recursive: true });
    await rename(join(root, "next"), target);
    expect((await registry().loadChannels())[0]?.meta.label).toBe("v2");
  });

  it("a plugin whose import never settles is PLUGIN_IMPORT_FAILED after importTimeoutMs; the others load", async () => {
    await writePlugin(
      join(stateDir, "extensions", "hang"),
      { id: "hang", kind: "channel" },
      "await new Promise(() => {});",
    );
    await writePlugin(
      join(stateDir, "extensions", "fine"),
      { id: "fine", kind: "channel" },
      channelModule("fine"),
    );
    const plugins = createPluginRegistry({ config: {}, stateDir, importTimeoutMs: 2_000 });
    expect((await plugins.loadChannels()).map((p) => p.id)).toEqual(["fine"]);
    expect(plugins.get("hang")?.error?.message).toMatch(
      /^plugin "hang" did not finish loading within 2000 ms/,
    );
  });

  it("a plugin of another spec version is PLUGIN_SPEC_UNSUPPORTED", async () => {
    await writePlugin(
      join(stateDir, "extensions", "future"),
      { id: "future", kind: "channel" },
      channelModule("future", "v2"),
    );
    const plugins = registry();
    expect(await plugins.loadChannels()).toEqual([]);
    expect(plugins.get("future")?.error).toEqual({
      code: "PLUGIN_SPEC_UNSUPPORTED",
      message:
        'plugin "future" exports a channel plugin with specificationVersion "v2"; this OpenClaw supports "v1"',
    });
  });

  it("a module exporting another channel id, or no plugin, is PLUGIN_EXPORT_INVALID", async () => {
    await writePlugin(
      join(stateDir, "extensions", "named"),
      { id: "named", kind: "channel" },
      channelModule("other-id"),
    );
    await writePlugin(
      join(stateDir, "extensions", "empty"),
      { id: "empty", kind: "channel" },
      "export const x = 1;",
    );
    const plugins = registry();
    await plugins.loadAll();
    expect(plugins.get("named")?.error?.message).toBe(
      'plugin "named" exports channel "other-id" but its manifest declares "named"',
    );
    expect(plugins.get("empty")?.error?.code).toBe("PLUGIN_EXPORT_INVALID");
  });

  it("plugins.entries.<id>.config is checked against the manifest's configSchema before the import", async () => {
    const schema = { type: "object", properties: { greeting: { type: "string" } }, required: ["greeting"] };
    await writePlugin(
      join(stateDir, "extensions", "greeter"),
      { id: "greeter", kind: "channel", configSchema: schema },
      `${channelModule("greeter").replace("export const plugin", "const plugin")}
export default (ctx) => ({ ...plugin, meta: { label: ctx.config.greeting } });`,
    );
    const bad = registry({ plugins: { entries: { greeter: { config: { greeting: 42 } } } } });
    expect(await bad.loadChannels()).toEqual([]);
    expect(bad.get("greeter")?.error?.code).toBe("PLUGIN_CONFIG_INVALID");
    expect(bad.get("greeter")?.error?.message).toMatch(/^plugins\.entries\.greeter\.config\.greeting: /);
    const missing = registry();
    await missing.loadAll();
    expect(missing.get("greeter")?.error?.code).toBe("PLUGIN_CONFIG_INVALID");
    const good = registry({ plugins: { entries: { greeter: { config: { greeting: "Salut" } } } } });
    const [plugin] = await good.loadChannels();
    expect(plugin?.meta.label).toBe("Salut");
  });

  it("provider plugins: ModelProviderV1 instances by id, and fromConfig factories by API", async () => {
    await writePlugin(
      join(stateDir, "extensions", "echo-llm"),
      { id: "echo-llm", kind: "provider" },
      `export default { specificationVersion: "v1", id: "echo-llm", languageModel: (id) => ({ id }) };`,
    );
    await writePlugin(
      join(stateDir, "extensions", "wire"),
      { id: "wire", kind: "provider", apis: ["openai-completions"] },
      `export function fromConfig(id, config, env, overrides) { return { specificationVersion: "v1", id, overrides, languageModel() {} }; }`,
    );
    await writePlugin(
      join(stateDir, "extensions", "old"),
      { id: "old", kind: "provider" },
      `export const p = { specificationVersion: "v0", id: "old", languageModel() {} };`,
    );
    const plugins = registry();
    const { providers, providerFactories } = await plugins.loadProviders();
    expect(Object.keys(providers)).toEqual(["echo-llm"]);
    const built = providerFactories["openai-completions"]?.({
      id: "my",
      config: {},
      env: {},
      apiKey: "k",
    }) as unknown as {
      id: string;
      overrides: unknown;
    };
    expect(built).toMatchObject({ id: "my", overrides: { apiKey: "k" } });
    expect(plugins.get("old")?.error?.code).toBe("PLUGIN_SPEC_UNSUPPORTED");
  });

  it("bundled plugins load through their own loader and lose to an installed copy of the same id", async () => {
    const bundledDir = await writePlugin(join(root, "bundled-chat"), { id: "chat", kind: "channel" }, "");
    await writePlugin(join(root, "override"), { id: "chat", kind: "channel" }, channelModule("chat"));
    let imported = 0;
    const plugins = createPluginRegistry({
      config: { plugins: { load: { paths: [join(root, "override")] } } },
      stateDir,
      bundled: [
        {
          dir: bundledDir,
          load: async () => {
            imported++;
            return { plugin: {} };
          },
        },
      ],
    });
    expect(plugins.list().map((r) => [r.origin, r.state])).toEqual([
      ["path", "enabled"],
      ["bundled", "error"],
    ]);
    await plugins.loadChannels();
    expect(imported).toBe(0);
    const chat = {
      specificationVersion: "v1",
      id: "chat",
      meta: { label: "Chat" },
      config: { listAccountIds: () => [], resolveAccount: () => ({}) },
      gateway: { startAccount: async () => undefined },
      outbound: { render: () => ({ text: "" }), sendText: async () => ({ messageId: "1" }) },
    };
    const alone = createPluginRegistry({
      config: {},
      stateDir,
      bundled: [
        {
          dir: bundledDir,
          load: async () => {
            imported++;
            return { chat };
          },
        },
      ],
    });
    expect((await alone.loadChannels()).map((p) => p.meta.label)).toEqual(["Chat"]);
    expect(imported).toBe(1);
  });
});
