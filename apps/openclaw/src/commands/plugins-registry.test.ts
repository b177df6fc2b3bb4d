import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readPluginPackage } from "@openclaw/core/plugins";
import { describe, expect, it } from "vitest";
import { REPO, staticGraph } from "../../../../scripts/import-graph.js";
import { bundledPlugins } from "./plugins-registry.js";

const relative = (files: Iterable<string>) => [...files].map((file) => file.slice(REPO.length + 1)).sort();

describe("the bundled plugins", () => {
  it("each ships a valid openclaw.plugin.json and its openclaw.extensions module in the published files", () => {
    const bundled = bundledPlugins();
    // every dependency of the CLI that has a manifest, nothing listed by hand
    expect(bundled.map((plugin) => readPluginPackage(plugin.dir).manifest.id).sort()).toEqual([
      "anthropic",
      "discord",
      "gemini",
      "matrix",
      "mattermost",
      "ollama",
      "openai",
      "signal",
      "slack",
      "telegram",
      "whatsapp",
    ]);
    for (const plugin of bundled) {
      const pkg = JSON.parse(readFileSync(join(plugin.dir, "package.json"), "utf8")) as {
        files: string[];
        openclaw: { extensions: string[] };
      };
      expect(pkg.files).toContain("openclaw.plugin.json");
      expect(pkg.openclaw.extensions).toEqual(["./dist/index.js"]);
      expect(pkg.files).toContain("dist");
    }
  });

  it("load through the registry: a channel and the provider factories", async () => {
    const { createPluginRegistry } = await import("@openclaw/core/plugins");
    const registry = createPluginRegistry({
      config: {},
      stateDir: join(REPO, "no-such-state-dir"),
      bundled: bundledPlugins(),
    });
    expect(registry.channelIds()).toEqual([
      "telegram",
      "discord",
      "slack",
      "whatsapp",
      "matrix",
      "mattermost",
      "signal",
    ]);
    expect((await registry.loadChannels(["slack"])).map((plugin) => plugin.id)).toEqual(["slack"]);
    expect(registry.get("telegram")?.state).toBe("enabled");
    const { providerFactories } = await registry.loadProviders();
    expect(Object.keys(providerFactories).sort()).toEqual([
      "anthropic-messages",
      "google-generative-ai",
      "ollama",
      "openai-completions",
      "openai-responses",
    ]);
  });
});

describe("what the idle gateway loads", () => {
  it("the gateway's channel host imports no plugin package and no registry until a channel is configured", () => {
    const graph = staticGraph(join(REPO, "apps/openclaw/src/gateway-assembly-channels.ts"));
    const loaded = relative(graph.files);
    const pluginCode =
      /^packages\/(core\/src\/plugins\/|channels-|providers-)|^apps\/openclaw\/src\/commands\/|^packages\/core\/src\/index\.ts$/;
    expect(loaded.filter((file) => pluginCode.test(file))).toEqual([]);
    expect([...graph.packages]).not.toContain("zod");
    expect(graph.dynamic.get(join(REPO, "apps/openclaw/src/gateway-assembly-channels.ts"))).toEqual(
      expect.arrayContaining(["./commands/plugins-registry.js", "@openclaw/core/channels"]),
    );
  });
});
