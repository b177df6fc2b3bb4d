import { createHash } from "node:crypto";
import { cp, mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { fromConfig } from "@openclaw/providers-openai";
import { type FakeOpenAIServer, openaiChatReply, startFakeOpenAI } from "@openclaw/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Assistant, createAssistant } from "../assistant.js";
import type { ProviderFactory } from "../models/provider-registry.js";
import {
  formatMigrationSummary,
  migrateOpenClawState,
  mirrorAuthProfilesToOpenClaw,
  readOpenClawStateDir,
} from "./index.js";

// The fixture is a real OpenClaw 2026.9.6 state dir (made by running that release against a fake
// OpenAI-compatible server on loopback, then trimmed to the tables this reader uses; see
// __fixtures__/README.md): two conversations, two auth profiles, one paired device.
const FIXTURE = fileURLToPath(new URL("./__fixtures__/openclaw-2026.9.6", import.meta.url));

let dir: string;
let source: string;
let stateDir: string;
let server: FakeOpenAIServer;
let assistant: Assistant | undefined;
const openai: ProviderFactory = (options) => fromConfig(options.id, options.config, options.env);

async function fingerprint(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  async function walk(current: string) {
    for (const name of await readdir(current)) {
      const full = path.join(current, name);
      if ((await stat(full)).isDirectory()) await walk(full);
      else
        out[path.relative(root, full)] = createHash("sha256")
          .update(await readFile(full))
          .digest("hex");
    }
  }
  await walk(root);
  return out;
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "openclaw-migrate-"));
  source = path.join(dir, "real-openclaw");
  stateDir = path.join(dir, "ours");
  await cp(FIXTURE, source, { recursive: true });
  server = await startFakeOpenAI();
});
afterEach(async () => {
  await assistant?.close();
  assistant = undefined;
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe("migrating a real OpenClaw 2026.9 state dir", () => {
  it("reads sessions, transcripts, auth profiles and devices from the SQLite databases", async () => {
    const snapshot = await readOpenClawStateDir(source);
    expect(snapshot.appVersion).toBe("2026.9.6");
    expect(snapshot.sessions.map((session) => session.key).sort()).toEqual([
      "agent:main:explicit:work-notes",
      "agent:main:main",
    ]);
    const main = snapshot.sessions.find((session) => session.key === "agent:main:main")!;
    expect(main.transcript.split("\n")[0]).toContain('"type":"session"');
    expect(main.transcript).toContain("Hello, my name is Ada.");
    expect(main.entry.skillsSnapshot).toBeUndefined();
    expect(Object.keys(snapshot.authProfiles.main?.profiles ?? {}).sort()).toEqual([
      "anthropic:manual",
      "openai:manual",
    ]);
    expect(snapshot.devices.map((device) => device.displayName)).toEqual(["fixture-laptop"]);
  });

  it("imports everything, leaves the source byte-identical, and a second run imports nothing", async () => {
    const before = await fingerprint(source);
    const first = await migrateOpenClawState({ from: source, stateDir });
    expect(first.sessions.imported.sort()).toEqual(["agent:main:explicit:work-notes", "agent:main:main"]);
    expect(first.authProfiles.imported.sort()).toEqual(["main/anthropic:manual", "main/openai:manual"]);
    expect(first.devices.imported).toHaveLength(1);
    expect(formatMigrationSummary(first)).toContain("sessions: imported 2, skipped 0");
    expect(await fingerprint(source)).toEqual(before);

    const index = JSON.parse(
      await readFile(path.join(stateDir, "agents/main/sessions/sessions.json"), "utf8"),
    );
    const mainId = index["agent:main:main"].sessionId;
    const transcript = await readFile(path.join(stateDir, `agents/main/sessions/${mainId}.jsonl`), "utf8");
    expect(transcript).toContain("What is my name?");
    const profiles = JSON.parse(
      await readFile(path.join(stateDir, "agents/main/agent/auth-profiles.json"), "utf8"),
    );
    expect(profiles.profiles["openai:manual"]).toMatchObject({ type: "api_key", provider: "openai" });
    const paired = JSON.parse(await readFile(path.join(stateDir, "devices/paired.json"), "utf8"));
    const device = Object.values(paired)[0] as {
      tokens: Record<string, { token: string }>;
      scopes: string[];
    };
    expect(device.scopes).toEqual(["operator.read", "operator.write"]);
    expect(device.tokens.operator?.token).toMatch(/\S{20,}/);

    const second = await migrateOpenClawState({ from: source, stateDir });
    expect(second.sessions.imported).toEqual([]);
    expect(second.authProfiles.imported).toEqual([]);
    expect(second.devices.imported).toEqual([]);
    expect(second.sessions.skipped.map((skip) => skip.reason)).toEqual([
      "already imported",
      "already imported",
    ]);
  });

  it("in OpenClaw's own state dir, the imported profiles are also written where OpenClaw reads them", async () => {
    await migrateOpenClawState({ from: source, stateDir: source });
    const { DatabaseSync } = await import("node:sqlite");
    const db = new DatabaseSync(path.join(source, "agents/main/agent/openclaw-agent.sqlite"), {
      readOnly: true,
    });
    const row = db.prepare("SELECT store_json FROM auth_profile_store WHERE store_key = 'primary'").get() as {
      store_json: string;
    };
    db.close();
    expect(Object.keys(JSON.parse(row.store_json).profiles).sort()).toEqual([
      "anthropic:manual",
      "openai:manual",
    ]);
    const again = await migrateOpenClawState({ from: source, stateDir: source });
    expect(again.authProfiles.imported).toEqual([]);
  });

  it("mirrorAuthProfilesToOpenClaw merges into OpenClaw's store and never creates a database", async () => {
    const file = {
      version: 1,
      profiles: { "groq:default": { type: "api_key" as const, provider: "groq", key: "gsk-x" } },
    };
    expect(await mirrorAuthProfilesToOpenClaw(stateDir, "main", file)).toEqual({ profiles: 0 });
    await expect(stat(path.join(stateDir, "agents"))).rejects.toThrow();
    const written = await mirrorAuthProfilesToOpenClaw(source, "main", file);
    expect(written.database).toContain("openclaw-agent.sqlite");
    expect(written.profiles).toBe(1);
  });

  it("a dry run reports without writing", async () => {
    const summary = await migrateOpenClawState({ from: source, stateDir, dryRun: true });
    expect(summary.sessions.imported).toHaveLength(2);
    expect(formatMigrationSummary(summary)).toContain("would import 2");
    await expect(stat(path.join(stateDir, "agents"))).rejects.toThrow();
  });

  it("the migrated conversation is intact: the next turn sends the earlier turns to the model", async () => {
    await migrateOpenClawState({ from: source, stateDir });
    assistant = createAssistant({
      config: {
        agents: { defaults: { workspace: path.join(dir, "ws"), model: { primary: "fake/fake-model" } } },
        models: {
          providers: {
            fake: {
              baseUrl: server.baseURL,
              api: "openai-completions",
              apiKey: "sk-test",
              models: [{ id: "fake-model" }],
            },
          },
        },
      },
      providerFactories: { "openai-completions": openai },
      stateDir,
      env: {},
    });
    server.enqueue(openaiChatReply({ text: ["Your name is Ada."] }));
    const reply = await assistant.enqueue({ sessionKey: "main", text: "Remind me: what is my name?" });
    expect(reply.status).toBe("ok");
    const request = server.requests.find((r) => r.path.endsWith("/chat/completions"))!;
    const turns = (request.body.messages as { role: string; content: unknown }[])
      .filter((message) => message.role !== "system")
      .map((message) => `${message.role}: ${JSON.stringify(message.content)}`);
    expect(turns[0]).toContain("Hello, my name is Ada.");
    expect(
      turns.some((turn) => turn.startsWith("assistant:") && turn.includes("Reply 1: I saw 3 messages.")),
    ).toBe(true);
    expect(turns.some((turn) => turn.includes("What is my name?"))).toBe(true);
    expect(turns.at(-1)).toContain("Remind me: what is my name?");
  });

  it("a conversation of ours under the same key is archived, not lost", async () => {
    assistant = createAssistant({
      config: {
        agents: { defaults: { workspace: path.join(dir, "ws"), model: { primary: "fake/fake-model" } } },
        models: {
          providers: {
            fake: {
              baseUrl: server.baseURL,
              api: "openai-completions",
              apiKey: "sk-test",
              models: [{ id: "fake-model" }],
            },
          },
        },
      },
      providerFactories: { "openai-completions": openai },
      stateDir,
      env: {},
    });
    server.enqueue(openaiChatReply({ text: ["Hi, who are you?"] }));
    await assistant.enqueue({ sessionKey: "main", text: "fresh start" });
    await assistant.close();
    assistant = undefined;
    const summary = await migrateOpenClawState({ from: source, stateDir });
    expect(summary.sessions.imported).toContain("agent:main:main");
    const files = await readdir(path.join(stateDir, "agents/main/sessions"));
    expect(files.some((name) => name.includes(".reset."))).toBe(true);
  });

  it("a directory without OpenClaw databases imports nothing and says so", async () => {
    const summary = await migrateOpenClawState({ from: path.join(dir, "nothing-here"), stateDir });
    expect(summary.sessions.imported).toEqual([]);
    expect(summary.authProfiles.imported).toEqual([]);
  });
});
