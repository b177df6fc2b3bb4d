import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import { GatewayClient } from "@openclaw/client";
import { createConfigStore } from "@openclaw/core/config";
import { createGateway, createMemoryAssistant, type Gateway } from "@openclaw/gateway";
import { generateDeviceIdentity } from "@openclaw/protocol";
import { afterEach, describe, expect, it } from "vitest";

// The real gateway driven by the reference client (@openclaw/client), as the CLI and UI use it.
const TOKEN = "client-e2e-token-0123456789";

let gateway: Gateway | undefined;
let dir: string | undefined;
const clients: GatewayClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) await client.close().catch(() => undefined);
  await gateway?.close();
  gateway = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
});

function lanAddress(): string | undefined {
  for (const entries of Object.values(networkInterfaces())) {
    for (const entry of entries ?? []) if (entry.family === "IPv4" && !entry.internal) return entry.address;
  }
  return undefined;
}

async function start(extra: Parameters<typeof createGateway>[0] extends infer O ? Partial<O> : never = {}) {
  dir = await mkdtemp(join(tmpdir(), "openclaw-client-e2e-"));
  const configPath = join(dir, "openclaw.json");
  await writeFile(configPath, JSON.stringify({ gateway: { auth: { mode: "token", token: TOKEN } } }));
  gateway = createGateway({
    config: createConfigStore({
      path: configPath,
      env: { HOME: dir, OPENCLAW_STATE_DIR: dir },
      cwd: dir,
      applyEnv: false,
      debounceMs: 20,
    }),
    stateDir: dir,
    port: 0,
    logFile: join(dir, "gateway.log"),
    assistant: createMemoryAssistant({ reply: (text) => `echo: ${text}` }),
    ...extra,
  });
  return gateway.listen();
}

function client(
  url: string,
  options: Partial<ConstructorParameters<typeof GatewayClient>[0]> = {},
): GatewayClient {
  const created = new GatewayClient({
    url,
    auth: { token: TOKEN },
    client: { id: "cli", mode: "cli" },
    reconnect: false,
    ...options,
  });
  clients.push(created);
  return created;
}

describe("@openclaw/client against the real gateway", () => {
  it("connects with protocol 4 and with a v3-only range", async () => {
    const { url } = await start();
    const v4 = await client(url).connect();
    expect(v4.protocol).toBe(4);
    const v3 = await client(url, { minProtocol: 3, maxProtocol: 3 }).connect();
    expect(v3.protocol).toBe(3);
  });

  it("typed calls and chat events", async () => {
    const { url } = await start();
    const peer = client(url);
    await peer.connect();
    const health = (await peer.request("health")) as { ok: boolean };
    expect(health.ok).toBe(true);
    const final = new Promise<{ message?: { content: { text: string }[] } }>((resolve) => {
      peer.on("chat", (payload) => {
        const event = payload as { state: string; message?: { content: { text: string }[] } };
        if (event.state === "final") resolve(event);
      });
    });
    await peer.request("chat.send", { sessionKey: "agent:main:client", message: "hi" });
    expect((await final).message?.content[0]?.text).toBe("echo: hi");
  });

  it("a signed device gets a device token it can reconnect with", async () => {
    const { url } = await start();
    const device = await generateDeviceIdentity();
    let issued: string | undefined;
    const first = client(url, {
      device,
      onDeviceToken: (token) => {
        issued = token;
      },
      scopes: ["operator.read"],
    });
    const hello = await first.connect();
    expect(hello.auth?.scopes).toEqual(["operator.read"]);
    expect(issued).toBeTruthy();
    const again = client(url, { device, auth: { deviceToken: issued! }, scopes: ["operator.read"] });
    expect((await again.connect()).auth?.role).toBe("operator");
  });

  it("pairing: a remote device is refused with PAIRING_REQUIRED until approved", async () => {
    const lan = lanAddress();
    const { url } = await start(
      lan ? { bind: "custom", customBindHost: lan } : { autoApproveLoopback: false },
    );
    const device = await generateDeviceIdentity();
    const refused = await client(url, { device })
      .connect()
      .catch(
        (error: unknown) => error as { code: string; detailCode?: string; details?: { requestId?: string } },
      );
    expect(refused).toMatchObject({ code: "NOT_PAIRED", detailCode: "PAIRING_REQUIRED" });
    const requestId = (refused as { details: { requestId: string } }).details.requestId;
    const admin = client(url);
    await admin.connect();
    await admin.request("device.pair.approve", { requestId });
    const paired = await client(url, { device }).connect();
    expect(paired.type).toBe("hello-ok");
  });

  it("a wrong token is refused as unauthorized", async () => {
    const { url } = await start();
    const refused = await client(url, { auth: { token: "nope" } })
      .connect()
      .catch((error: unknown) => error as Error & { detailCode?: string });
    expect(refused.message).toMatch(/^unauthorized/);
    expect(refused.detailCode).toBe("AUTH_TOKEN_MISMATCH");
  });

  it("the shutdown event reaches the client before the socket closes", async () => {
    const { url } = await start();
    const peer = client(url);
    await peer.connect();
    const shutdown = new Promise<unknown>((resolve) => peer.on("shutdown", resolve));
    await gateway!.close({ reason: "maintenance", restartExpectedMs: 1000 });
    gateway = undefined;
    expect(await shutdown).toEqual({ reason: "maintenance", restartExpectedMs: 1000 });
  });
});
