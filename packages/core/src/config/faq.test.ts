import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resolveAgent, resolveModelAliases } from "./agents.js";
import { loadConfig } from "./load.js";
import { resolvePaths } from "./paths.js";
import type { LoadedConfig } from "./types.js";

// Every json5 snippet of the French FAQ (shared/seeds/002_4e416ab861eaf83c.txt) is a fixture,
// named after the line it starts at. Each must load without error and give these effective values.
const FAQ = join(import.meta.dirname, "__fixtures__", "faq");
const HOME = "/home/claw";
const env = () => ({ HOME });

async function load(name: string): Promise<LoadedConfig> {
  return loadConfig({ path: join(FAQ, name), env: env(), applyEnv: false, cwd: FAQ });
}

const expectations: Record<string, (loaded: LoadedConfig) => void> = {
  "faq-line-1079.json5": ({ config }) => {
    expect(config.agents.defaults.workspace).toBe(`${HOME}/.openclaw/workspace`);
  },
  "faq-line-1111.json5": ({ config }) => {
    expect(config.agents.defaults.workspace).toBe(`${HOME}/Projects/my-repo`);
  },
  "faq-line-1141.json5": ({ config }) => {
    expect(config.gateway.bind).toBe("lan");
    expect(config.gateway.auth).toMatchObject({ mode: "token", token: "remplacez-moi" });
    expect(config.gateway.port).toBe(18789);
  },
  "faq-line-1175.json5": ({ config }) => {
    expect(config.tools.web.search).toMatchObject({
      enabled: true,
      apiKey: "BRAVE_API_KEY_HERE",
      maxResults: 5,
    });
    expect(config.tools.web.fetch.enabled).toBe(true);
  },
  "faq-line-1220.json5": ({ config }) => {
    expect(config.agents.defaults.workspace).toBe(`${HOME}/.openclaw/workspace`);
    expect(config.channels.whatsapp?.allowFrom).toEqual(["+15555550123"]);
  },
  "faq-line-1245.json5": ({ config }) => {
    expect(config.browser?.headless).toBe(true);
    expect(config.agents.defaults.sandbox?.browser).toEqual({ headless: true });
  },
  "faq-line-1579.json5": ({ config, legacyKeys }) => {
    expect(config.agents.defaults.model).toEqual({ primary: "anthropic/claude-3-5-sonnet-20250219" });
    expect(legacyKeys.map((use) => use.path)).toEqual(["models.defaults.model"]);
  },
  "faq-line-1618.json5": (loaded) => {
    const { config } = loaded;
    expect(config.agents.list.map((agent) => agent.id)).toEqual(["mybot", "expert"]);
    const paths = resolvePaths(env());
    expect(resolveAgent(config, "mybot", paths).model.primary).toBe("openai/gpt-4o");
    expect(resolveAgent(config, "expert", paths).model.primary).toBe("anthropic/claude-3-7-opus-20250219");
    expect(loaded.legacyKeys.map((use) => use.path)).toEqual(["agents.mybot", "agents.expert"]);
  },
  "faq-line-1637.json5": ({ config }) => {
    expect(resolveModelAliases(config)).toEqual({
      fast: "openai/gpt-4o-mini",
      smart: "anthropic/claude-3-5-sonnet-20250219",
      local: "ollama/llama3.2",
    });
    expect(config.agents.defaults.models["openai/gpt-4o-mini"]).toEqual({ alias: "fast" });
  },
  "faq-line-1663.json5": ({ config }) => {
    expect(config.models.providers.ollama).toMatchObject({
      enabled: true,
      baseUrl: "http://localhost:11434",
      models: [],
    });
    expect(config.agents.defaults.model.primary).toBe("ollama/llama3.2");
  },
  "faq-line-1682.json5": ({ config }) => {
    expect(config.tools.web.search.enabled).toBe(false);
    expect(config.tools.web.fetch.enabled).toBe(false);
  },
  "faq-line-1711.json5": ({ config }) => {
    expect(config.agents.defaults.model.primary).toBe("anthropic/claude-3-5-sonnet-20250219");
  },
  "faq-line-1733.json5": ({ config }) => {
    // The failover list is the whole ordered chain: first = primary, the rest = fallbacks.
    expect(config.agents.defaults.model).toEqual({
      primary: "anthropic/claude-3-5-sonnet-20250219",
      fallbacks: ["openai/gpt-4o", "google/gemini-2.0-flash-exp"],
    });
  },
  "faq-line-1756.json5": ({ config }) => {
    expect(config.agents.list).toHaveLength(1);
    expect(config.agents.list[0]).toMatchObject({
      id: "reliable",
      model: {
        primary: "anthropic/claude-3-5-sonnet-20250219",
        fallbacks: ["openai/gpt-4o", "google/gemini-2.0-flash-exp"],
      },
    });
  },
  "faq-line-1786.json5": ({ config }) => {
    expect(config.agents.defaults.model).toEqual({
      primary: "openai/gpt-nonexistent",
      fallbacks: ["openai/gpt-4o"],
    });
  },
  "faq-line-1864.json5": ({ config, legacyKeys }) => {
    expect(config.gateway.remote).toEqual({
      url: "ws://your-vps.example.com:18789",
      token: "your-gateway-token",
    });
    expect(config.gateway.mode).toBe("remote");
    expect(legacyKeys.map((use) => use.path)).toEqual(["gateway.remote.host", "gateway.remote.enabled"]);
  },
  "faq-line-1949.json5": ({ config }) => {
    expect(config.logging.level).toBe("debug");
  },
  "faq-line-1979.json5": ({ config }) => {
    expect(config.logging.verboseModels).toBe(true);
    expect(config.logging.level).toBe("info");
  },
  "faq-line-2041.json5": ({ config }) => {
    expect(config.agents.list).toEqual([{ id: "mybot", workspace: "/chemin/vers/stockage/personnalisé" }]);
    expect(resolveAgent(config, "mybot", resolvePaths(env())).workspace).toBe(
      "/chemin/vers/stockage/personnalisé",
    );
  },
  "faq-line-2080.json5": ({ config }) => {
    expect(config.channels.telegram?.allowFrom).toEqual(["@votre_utilisateur", "123456789"]);
  },
  "faq-line-2173.json5": ({ config }) => {
    expect(config.cron.jobs).toEqual([
      {
        id: "rapport-quotidien",
        name: "Rapport quotidien",
        enabled: true,
        schedule: { kind: "cron", expr: "0 9 * * *" },
        payload: {
          kind: "command",
          command: "openclaw message send --channel telegram --user @moi --message 'Rapport quotidien'",
        },
      },
    ]);
  },
};

describe("FAQ config snippets (French FAQ) load with their documented meaning", () => {
  const files = readdirSync(FAQ).filter((file) => file.endsWith(".json5"));

  it("has an expectation for every snippet in the FAQ", () => {
    expect(files.sort()).toEqual(Object.keys(expectations).sort());
  });

  for (const file of files) {
    it(file, async () => {
      const loaded = await load(file);
      expect(loaded.ignoredKeys).toEqual([]);
      expectations[file]?.(loaded);
    });
  }
});
