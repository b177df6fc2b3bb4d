// The client against the real @openclaw/gateway (not the fake): handshake, calls, events,
// device signing verified by the server, refused connects and reconnect after a restart.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createGateway, createMemoryAssistant, type Gateway, type GatewayAddress } from "@openclaw/gateway";
import { type ChatEventPayload, generateDeviceIdentity, OpenClawError } from "@openclaw/protocol";
import { afterEach, describe, expect, it } from "vitest";
// core's config store (the one the app runs on), confined to the temp dir
import { testConfigStore } from "../../gateway/src/__tests__/helpers.js";
import { GatewayClient, type GatewayClientOptions } from "./index.js";

const TOKEN = "e2e-token-0123456789abcdef";
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Running {
  gateway: Gateway;
  address: GatewayAddress;
  stateDir: string;
  stop(): Promise<void>;
}

async function startGateway(stateDir?: string, port = 0): Promise<Running> {
  const dir = stateDir ?? (await mkdtemp(join(tmpdir(), "openclaw-client-e2e-")));
  const configPath = join(dir, "openclaw.json");
  await writeFile(configPath, JSON.stringify({ gateway: { auth: { mode: "token", token: TOKEN } } }));
  const store = testConfigStore(configPath);
  const gateway = createGateway({
    config: store,
    stateDir: dir,
    port,
    assistant: createMemoryAssistant({ reply: (message) => `echo: ${message}`, chunks: 2 }),
    logFile: join(dir, "gateway.log"),
    version: "e2e",
  });
  const address = await gateway.listen();
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= gateway.close();
    return stopped;
  };
  cleanups.push(async () => {
    await stop();
    store.close?.();
    if (!stateDir) await rm(dir, { recursive: true, force: true });
  });
  return { gateway, address, stateDir: dir, stop };
}

function connectClient(url: string, options: Partial<GatewayClientOptions> = {}): GatewayClient {
  const client = new GatewayClient({
    url,
    auth: { token: TOKEN },
    client: { id: "cli", mode: "cli" },
    scopes: ["operator.admin"],
    reconnect: { minDelayMs: 20, maxDelayMs: 200 },
    ...options,
  });
  cleanups.push(() => client.close());
  return client;
}

describe("GatewayClient against the real gateway", () => {
  it("connects, calls methods and streams a chat turn", async () => {
    const { address } = await startGateway();
    const client = connectClient(address.url);
    const hello = await client.connect();
    expect([3, 4]).toContain(hello.protocol);
    expect(hello.features.methods).toContain("chat.send");
    expect((await client.request("health")).ok).toBe(true);
    expect(Array.isArray(await client.request("system-presence"))).toBe(true);

    const states: ChatEventPayload["state"][] = [];
    const final = new Promise<void>((resolve) => {
      client.on("chat", (event) => {
        states.push(event.state);
        if (event.state === "final") resolve();
      });
    });
    const sent = await client.request("chat.send", { sessionKey: "agent:main:main", message: "hi" });
    expect(sent.runId).toBeTruthy();
    await final;
    expect(states.at(-1)).toBe("final");
    expect(states).toContain("delta");
  });

  it("reports the gateway's refusal of a wrong token and unknown methods", async () => {
    const { address } = await startGateway();
    const wrong = connectClient(address.url, { auth: { token: "nope" } });
    const error = await wrong.connect().catch((caught: unknown) => caught);
    expect(OpenClawError.isInstance(error)).toBe(true);
    expect((error as OpenClawError).detailCode).toBe("AUTH_TOKEN_MISMATCH");

    const client = connectClient(address.url);
    await client.connect();
    await expect(client.request("nosuch.method")).rejects.toMatchObject({
      code: "INVALID_REQUEST",
      message: "unknown method: nosuch.method",
    });
    await expect(client.request("logs.tail", { limit: 0 })).rejects.toMatchObject({
      code: "INVALID_REQUEST",
    });
  });

  it("signs the challenge with a device key the gateway verifies", async () => {
    const { address } = await startGateway();
    const identity = await generateDeviceIdentity();
    const tokens: string[] = [];
    const client = connectClient(address.url, {
      device: identity,
      client: { id: "cli", mode: "cli", platform: "linux", deviceFamily: "Linux" },
      onDeviceToken: (token) => {
        tokens.push(token);
      },
    });
    const hello = await client.connect();
    expect(hello.auth?.role).toBe("operator");
    expect(hello.auth?.deviceToken).toBeTruthy();
    expect(tokens).toEqual([hello.auth?.deviceToken]);
    expect((await client.request("health")).ok).toBe(true);
    // The stored device token alone (no shared secret) is enough next time.
    const again = connectClient(address.url, {
      auth: { deviceToken: tokens[0] },
      device: identity,
      client: { id: "cli", mode: "cli", platform: "linux", deviceFamily: "Linux" },
    });
    await again.connect();
    expect((await again.request("health")).ok).toBe(true);
  });

  it("reconnects when the gateway restarts on the same port", async () => {
    const first = await startGateway();
    const client = connectClient(first.address.url);
    let connects = 0;
    const reconnected = new Promise<void>((resolve) => {
      client.onConnected(() => {
        connects++;
        if (connects === 2) resolve();
      });
    });
    await client.connect();
    await first.stop();
    await startGateway(first.stateDir, first.address.port);
    await reconnected;
    expect((await client.request("health")).ok).toBe(true);
  });
});
