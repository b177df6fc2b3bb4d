import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { type ImportGraph, packageName, REPO, staticGraph } from "../../../../scripts/import-graph.js";

const gatewaySrc = join(REPO, "packages/gateway/src");
const protocolIndex = join(REPO, "packages/protocol/src/index.ts");
const relative = (files: Iterable<string>) => [...files].map((file) => file.slice(REPO.length + 1)).sort();

describe("what `import('@openclaw/gateway')` loads", () => {
  const idle = staticGraph(join(gatewaySrc, "index.ts"));

  it("loads neither zod, ws nor the protocol's main entry (schemas and registries)", () => {
    const packages = [...idle.packages].map(packageName);
    expect(packages).not.toContain("zod");
    expect(packages).not.toContain("ws");
    expect(relative(idle.files)).not.toContain("packages/protocol/src/index.ts");
    // only the zod-free protocol entry
    expect(relative(idle.files)).toContain("packages/protocol/src/base.ts");
    // nor core's agent runtime: the assistant is created on the first chat
    expect(relative(idle.files)).not.toContain("packages/core/src/assistant.ts");
    expect(relative(idle.files)).not.toContain("packages/core/src/index.ts");
    // the WebSocket side stays out until a client connects
    expect(relative(idle.files)).not.toContain("packages/gateway/src/connections.ts");
    expect(relative(idle.files)).not.toContain("packages/gateway/src/handlers.ts");
  });

  it("loads ws, the connection layer and the method table dynamically", () => {
    expect(idle.dynamic.get(join(gatewaySrc, "websocket-side.ts"))).toEqual(
      expect.arrayContaining(["ws", "./connections.js"]),
    );
    expect(idle.dynamic.get(join(gatewaySrc, "gateway.ts"))).toEqual(
      expect.arrayContaining(["./handlers.js"]),
    );
  });

  it("the lazily loaded connection layer is what brings zod and the protocol registries", () => {
    const layer = staticGraph(join(gatewaySrc, "connections.ts"));
    expect([...layer.packages].map(packageName)).toContain("zod");
    expect(layer.files).toContain(protocolIndex);
  });

  it("the method table and the gateway's own handlers load neither zod nor core", () => {
    const table = staticGraph(join(gatewaySrc, "handlers.ts"));
    expect(relative(table.files)).toEqual(
      expect.arrayContaining([
        "packages/gateway/src/methods/config.ts",
        "packages/gateway/src/methods/devices.ts",
        "packages/gateway/src/methods/system.ts",
      ]),
    );
    const packages = [...table.packages].map(packageName);
    expect(packages).not.toContain("zod");
    expect(relative(table.files).filter((file) => file.startsWith("packages/core/"))).toEqual([]);
    expect(relative(table.files)).not.toContain("packages/protocol/src/index.ts");
  });

  it("uses ws through its public API only (no private fields such as _receiver)", () => {
    const sources = [
      ...staticGraph(join(gatewaySrc, "connections.ts")).files,
      join(gatewaySrc, "gateway.ts"),
    ];
    for (const file of sources.filter((path) => path.startsWith(gatewaySrc)))
      expect(readFileSync(file, "utf8"), file).not.toMatch(/\._(receiver|sender|socket)\b|_maxPayload/);
  });
});

describe("what connecting channels loads (before the first message)", () => {
  const channelSide = staticGraph(join(REPO, "packages/core/src/inbound/index.ts"));
  const assembly = join(REPO, "apps/openclaw/src/gateway-assembly-channels.ts");

  it("core's channel side (@openclaw/core/channels) reaches neither zod, the protocol's main entry nor the agent runtime", () => {
    expect([...channelSide.packages].map(packageName)).not.toContain("zod");
    const files = relative(channelSide.files);
    expect(files).toContain("packages/core/src/inbound/channel-manager.ts");
    expect(files).toContain("packages/protocol/src/channel-entry.ts");
    expect(files).not.toContain("packages/protocol/src/index.ts");
    expect(files).not.toContain("packages/core/src/index.ts");
    expect(files).not.toContain("packages/core/src/assistant.ts");
    expect(files.filter((file) => file.startsWith("packages/core/src/agent/"))).toEqual([]);
  });

  it("the inbound message schema loads only for a message the zod-free check refuses (a dynamic import of the protocol)", () => {
    expect(channelSide.dynamic.get(join(REPO, "packages/core/src/inbound/inbound-pipeline.ts"))).toEqual([
      "@openclaw/protocol",
    ]);
  });

  it("the gateway's channel host imports core's channel side, not core's main entry", () => {
    const graph = staticGraph(assembly);
    expect(relative(graph.files)).not.toContain("packages/core/src/index.ts");
    expect(relative(graph.files)).not.toContain("packages/core/src/inbound/index.ts");
    const dynamic = graph.dynamic.get(assembly) ?? [];
    expect(dynamic).toContain("@openclaw/core/channels");
    expect(dynamic).not.toContain("@openclaw/core");
  });

  it.each(["channels-telegram", "channels-discord", "channels-slack"])(
    "@openclaw/%s reaches neither zod, the protocol's main entry nor core",
    (name) => {
      const graph = staticGraph(join(REPO, "packages", name, "src/index.ts"));
      // its config block is checked without zod; the zod schema (`configSchema`) is built on first read
      expect([...graph.packages].map(packageName)).not.toContain("zod");
      const files = relative(graph.files);
      expect(files).not.toContain("packages/protocol/src/index.ts");
      expect(files.filter((file) => file.startsWith("packages/core/"))).toEqual([]);
    },
  );

  it("Telegram loads grammY's throttler (Bottleneck) with the first send, not by connecting", () => {
    const entry = join(REPO, "packages/channels-telegram/src/index.ts");
    const graph = staticGraph(entry);
    expect([...graph.packages].map(packageName)).not.toContain("@grammyjs/transformer-throttler");
    expect(graph.dynamic.get(join(REPO, "packages/channels-telegram/src/telegram-channel.ts"))).toContain(
      "@grammyjs/transformer-throttler",
    );
  });
});

/**
 * `entry`'s static graph plus what its relative dynamic imports load, transitively, except the
 * specifiers in `later` (loaded by something rarer than a chat turn).
 */
function withDynamic(entry: string, later: Set<string>): ImportGraph {
  const all: ImportGraph = { files: new Set(), packages: new Set(), dynamic: new Map() };
  const queue = [entry];
  while (queue.length > 0) {
    const next = queue.pop() as string;
    if (all.files.has(next)) continue;
    const graph = staticGraph(next);
    for (const file of graph.files) all.files.add(file);
    for (const name of graph.packages) all.packages.add(name);
    for (const [file, specifiers] of graph.dynamic) {
      all.dynamic.set(file, specifiers);
      for (const specifier of specifiers)
        if (specifier.startsWith(".") && !later.has(specifier))
          queue.push(join(dirname(file), specifier.replace(/\.js$/, ".ts")));
    }
  }
  return all;
}

describe("what the first chat turn loads (core's assistant, a provider, the tools' definitions)", () => {
  const assistantEntry = join(REPO, "packages/core/src/assistant.ts");
  // the built-in tools' zod schemas: with the first tool call, to validate its arguments
  const turn = withDynamic(assistantEntry, new Set(["./tool-parameters.js"]));

  it("the gateway creates its assistant from @openclaw/core/assistant, not core's main entry (config schema)", () => {
    const factory = join(REPO, "apps/openclaw/src/gateway-assembly-core.ts");
    const dynamic = staticGraph(factory).dynamic.get(factory) ?? [];
    expect(dynamic).toContain("@openclaw/core/assistant");
    expect(dynamic).not.toContain("@openclaw/core");
  });

  it("core's assistant, its runtime and what it loads on demand (memory, skills) reach neither zod nor the protocol's main entry", () => {
    const files = relative(turn.files);
    // the walk reached the runtime, the tools, the memory manager and the skills service
    expect(files).toEqual(
      expect.arrayContaining([
        "packages/core/src/agent/run.ts",
        "packages/core/src/agent/tool-execution.ts",
        "packages/core/src/tools/fs-tools.ts",
        "packages/core/src/memory/manager.ts",
        "packages/core/src/skills/service.ts",
        "packages/protocol/src/model-entry.ts",
      ]),
    );
    expect([...turn.packages].map(packageName)).not.toContain("zod");
    expect(files).not.toContain("packages/protocol/src/index.ts");
    expect(files).not.toContain("packages/core/src/config/schema.ts");
    expect(files).not.toContain("packages/core/src/index.ts");
  });

  it("the tools' definitions send precomputed JSON Schemas; their zod schemas are a dynamic import", () => {
    expect(relative(turn.files)).toContain("packages/core/src/tools/builtin-tool-schemas.ts");
    expect(relative(turn.files)).not.toContain("packages/core/src/tools/tool-parameters.ts");
    expect(turn.dynamic.get(join(REPO, "packages/core/src/tools/fs-tools.ts"))).toContain(
      "./tool-parameters.js",
    );
    // the check can fail: the schemas module itself is what loads zod
    const schemas = staticGraph(join(REPO, "packages/core/src/tools/tool-parameters.ts"));
    expect([...schemas.packages].map(packageName)).toContain("zod");
  });

  it.each([
    "providers-openai",
    "providers-anthropic",
    "providers-gemini",
    "providers-ollama",
    "providers-utils",
  ])("@openclaw/%s reaches neither zod nor the protocol's main entry", (name) => {
    const graph = staticGraph(join(REPO, "packages", name, "src/index.ts"));
    expect([...graph.packages].map(packageName)).not.toContain("zod");
    const files = relative(graph.files);
    expect(files).toContain("packages/protocol/src/model-entry.ts");
    expect(files).not.toContain("packages/protocol/src/index.ts");
  });
});
