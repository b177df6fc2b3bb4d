import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GatewayClient } from "@openclaw/client";
import type { Assistant } from "@openclaw/core";
import { createConfigStore } from "@openclaw/core/config";
import { createGateway, type Gateway, type Logger } from "@openclaw/gateway";
import { afterEach, describe, expect, it } from "vitest";
import { lazyCoreAssistant } from "./gateway-assembly-lazy.js";

// Core's assistant behind the gateway's typed method table, created on the first call that
// needs it; these tests drive it through a real gateway on 127.0.0.1 with a stand-in factory.
const TOKEN = "lazy-token-0123456789abcdef";
let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

const quietLogger = (errors: string[]) =>
  ({
    error: (fields: { err?: string }) => errors.push(String(fields.err)),
    warn: () => undefined,
    info: () => undefined,
    debug: () => undefined,
  }) as unknown as Logger;

async function start(create: () => Promise<Assistant>, errors: string[] = []) {
  const dir = await mkdtemp(join(tmpdir(), "openclaw-lazy-"));
  const path = join(dir, "openclaw.json");
  await writeFile(path, JSON.stringify({ gateway: { auth: { token: TOKEN } } }));
  await mkdir(join(dir, "agents", "main", "sessions"), { recursive: true });
  await writeFile(
    join(dir, "agents", "main", "sessions", "sessions.json"),
    JSON.stringify({
      "agent:main:main": { sessionId: "s1", updatedAt: 1_000 },
      "agent:main:telegram:dm:42": { sessionId: "s2", updatedAt: 2_000 },
    }),
  );
  const store = createConfigStore({
    path,
    env: { HOME: dir, OPENCLAW_STATE_DIR: dir },
    cwd: dir,
    applyEnv: false,
  });
  const lazy = lazyCoreAssistant(create, quietLogger(errors));
  const gateway: Gateway = createGateway({
    config: store,
    stateDir: dir,
    port: 0,
    assistant: lazy.assistant,
    version: "test",
    logger: quietLogger(errors),
  });
  const address = await gateway.listen();
  const client = new GatewayClient({ url: address.url, auth: { token: TOKEN }, reconnect: false });
  await client.connect();
  cleanup.push(async () => {
    client.close();
    await gateway.close();
    await lazy.close();
    store.close?.();
    await rm(dir, { recursive: true, force: true });
  });
  return { client, lazy };
}

describe("the lazily created core assistant", () => {
  it("is not created by connecting, and once by the first calls that need it", async () => {
    let created = 0;
    const fake = {
      sessions: { resolveKey: (key: string) => `agent:main:${key}` },
      history: async () => [{ role: "user", content: [{ type: "text", text: "earlier" }] }],
      models: [],
      listModels: async () => [{ ref: "openai/gpt-4o", provider: "openai", model: "gpt-4o", current: true }],
      bus: { on: () => undefined, off: () => undefined },
      close: async () => undefined,
    };
    const { client, lazy } = await start(async () => {
      created += 1;
      return fake as unknown as Assistant;
    });
    // connecting (hello-ok's health) and health / status read the session index on disk instead
    const health = await client.request("health", {});
    expect(health.sessions).toMatchObject({
      count: 2,
      recent: [
        { key: "agent:main:telegram:dm:42", updatedAt: 2_000 },
        { key: "agent:main:main", updatedAt: 1_000 },
      ],
    });
    const status = await client.request("status", {});
    expect(status.sessions).toMatchObject({ count: 2 });
    expect(lazy.running()).toBeUndefined();
    expect(created).toBe(0);
    const [models, history] = await Promise.all([
      client.request("models.list", {}),
      client.request("chat.history", { sessionKey: "main" }),
    ]);
    expect(models.models).toEqual([{ id: "gpt-4o", name: "gpt-4o", provider: "openai" }]);
    expect(history.sessionKey).toBe("agent:main:main");
    expect(created).toBe(1);
    expect(lazy.running()).toBe(fake);
  });

  it("an assistant that cannot start: calls get UNAVAILABLE with the reason, channels get none", async () => {
    const errors: string[] = [];
    const { client, lazy } = await start(async () => {
      throw new Error("provider package failed to load");
    }, errors);
    await expect(
      client.request("chat.send", { sessionKey: "main", message: "hi", idempotencyKey: "k1" }),
    ).rejects.toMatchObject({
      code: "UNAVAILABLE",
      message: "the assistant could not start: provider package failed to load",
    });
    expect(await lazy.enqueuing()).toBeUndefined();
    expect(errors).toContain("provider package failed to load");
  });
});
