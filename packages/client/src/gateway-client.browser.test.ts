// @openclaw/client in a real browser (Debian's Chromium through playwright-core) against the real
// @openclaw/gateway: the package is bundled for the browser with esbuild (no Node builtins may be
// reached), served from a page server, and the page's own WebSocket talks to the gateway.
// Needs /usr/bin/chromium (scripts/ensure-chromium.sh installs it).
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { isBuiltin } from "node:module";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createGateway, createMemoryAssistant, type GatewayAddress } from "@openclaw/gateway";
import { type BuildOptions, build, type Plugin } from "esbuild";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
// core's config store (the one the app runs on), confined to the temp dir
import { testConfigStore } from "../../gateway/src/__tests__/helpers.js";

const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const TOKEN = "browser-token-0123456789abcdef";
// Chromium resolves every *.openclaw.test name to 127.0.0.1, so pages get real non-loopback
// origins (loopback origins on a loopback connection are always allowed by the gateway).
const ALLOWED_HOST = "app.openclaw.test";
const OTHER_HOST = "evil.openclaw.test";

// The browser entry: what an app would write. Exposed on `window` for the test to drive.
const ENTRY = `
import { GatewayClient, GatewayTransportError } from "@openclaw/client";
import { generateDeviceIdentity, OpenClawError } from "@openclaw/protocol";
window.openclaw = { GatewayClient, GatewayTransportError, OpenClawError, generateDeviceIdentity };
`;

interface BrowserApi {
  GatewayClient: typeof import("./index.js").GatewayClient;
  GatewayTransportError: typeof import("./index.js").GatewayTransportError;
  OpenClawError: typeof import("@openclaw/protocol").OpenClawError;
  generateDeviceIdentity: typeof import("@openclaw/protocol").generateDeviceIdentity;
}
interface PageWindow {
  openclaw: BrowserApi;
  socketUrls: string[];
  /** What the reconnect test parks on the page between evaluate() calls. */
  state: {
    client?: InstanceType<BrowserApi["GatewayClient"]>;
    connects?: number;
    reconnected?: Promise<void>;
  };
}

let bundle = "";
let bundleInputs: string[] = [];
let pageServer: Server;
let pagePort = 0;
let context: BrowserContext;
let profileDir = "";
const cleanups: (() => Promise<void> | void)[] = [];

/** Fails the bundle on any import of a Node builtin (`node:*`, `fs`, `crypto`, …). */
const noNodeBuiltins: Plugin = {
  name: "no-node-builtins",
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) =>
      isBuiltin(args.path)
        ? {
            errors: [
              {
                text: `Node builtin "${args.path}" imported by ${args.importer} (not available in browsers)`,
              },
            ],
          }
        : undefined,
    );
  },
};

const here = dirname(fileURLToPath(import.meta.url));
const BUNDLE_OPTIONS = {
  bundle: true,
  platform: "browser",
  format: "esm",
  target: "es2022",
  conditions: ["@openclaw/source"], // build from the TypeScript sources, no dist needed
  plugins: [noNodeBuiltins],
  metafile: true,
  write: false,
  logLevel: "silent",
} as const satisfies BuildOptions;

beforeAll(async () => {
  const result = await build({
    stdin: { contents: ENTRY, resolveDir: here, loader: "ts" },
    ...BUNDLE_OPTIONS,
  });
  bundle = result.outputFiles[0]?.text ?? "";
  bundleInputs = Object.keys(result.metafile.inputs);

  pageServer = createServer((request, response) => {
    if (request.url === "/client.js") {
      response.writeHead(200, { "content-type": "text/javascript; charset=utf-8" });
      response.end(bundle);
      return;
    }
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    response.end(
      '<!doctype html><meta charset="utf-8"><title>openclaw client</title><script type="module" src="/client.js"></script>',
    );
  });
  await new Promise<void>((resolve) => pageServer.listen(0, "127.0.0.1", resolve));
  pagePort = (pageServer.address() as AddressInfo).port;

  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: run \`bash scripts/ensure-chromium.sh\` (apt-get install chromium)`,
    );
  }
  profileDir = await mkdtemp(join(tmpdir(), "openclaw-chromium-"));
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--host-resolver-rules=MAP *.openclaw.test 127.0.0.1",
    ],
  });
  // Record every socket the page opens: proof the client used the browser's own WebSocket.
  await context.addInitScript(() => {
    const w = window as unknown as PageWindow & { WebSocket: typeof WebSocket };
    const Native = w.WebSocket;
    w.socketUrls = [];
    w.state = {};
    w.WebSocket = class extends Native {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        w.socketUrls.push(String(url));
      }
    };
  });
}, 60_000);

afterAll(async () => {
  await context?.close();
  await new Promise((resolve) => pageServer?.close(resolve));
  if (profileDir) await rm(profileDir, { recursive: true, force: true });
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Running {
  address: GatewayAddress;
  stateDir: string;
  stop(): Promise<void>;
}

async function startGateway(options: { stateDir?: string; port?: number } = {}): Promise<Running> {
  const dir = options.stateDir ?? (await mkdtemp(join(tmpdir(), "openclaw-client-browser-")));
  const configPath = join(dir, "openclaw.json");
  // What a user writes to let a web app on their own origin talk to the gateway.
  const config = {
    gateway: {
      auth: { mode: "token", token: TOKEN },
      controlUi: { allowedOrigins: [`http://${ALLOWED_HOST}:${pagePort}`] },
    },
  };
  await writeFile(configPath, JSON.stringify(config));
  const store = testConfigStore(configPath);
  const gateway = createGateway({
    config: store,
    stateDir: dir,
    port: options.port ?? 0,
    assistant: createMemoryAssistant({ reply: (message) => `echo: ${message}`, chunks: 2 }),
    logFile: join(dir, "gateway.log"),
    version: "browser-e2e",
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
    if (!options.stateDir) await rm(dir, { recursive: true, force: true });
  });
  return { address, stateDir: dir, stop };
}

async function openPage(host: string): Promise<Page> {
  const page = await context.newPage();
  cleanups.push(() => page.close());
  await page.goto(`http://${host}:${pagePort}/`);
  await page.waitForFunction(() => "openclaw" in window);
  return page;
}

describe("GatewayClient in Chromium against the real gateway", () => {
  it("bundles for the browser from source, without Node builtins or the ws package", async () => {
    expect(bundleInputs.some((input) => input.endsWith("client/src/gateway-client.ts"))).toBe(true);
    expect(bundleInputs.some((input) => input.endsWith("protocol/src/index.ts"))).toBe(true);
    expect(bundleInputs.filter((input) => /node_modules\/(\.pnpm\/)?ws[@/]/.test(input))).toEqual([]);
    // The guard that made the bundle above pass does reject a Node builtin.
    const withBuiltin = build({
      stdin: { contents: 'import "@openclaw/client"; import "node:crypto";', resolveDir: here, loader: "ts" },
      ...BUNDLE_OPTIONS,
    });
    await expect(withBuiltin).rejects.toThrow('Node builtin "node:crypto"');
  });

  it("connects with the token, calls health and status and receives chat events", async () => {
    const { address } = await startGateway();
    const page = await openPage(ALLOWED_HOST);
    const report = await page.evaluate(
      async ({ url, token }) => {
        const w = window as unknown as PageWindow;
        const client = new w.openclaw.GatewayClient({
          url,
          auth: { token },
          client: { id: "webchat-ui", mode: "webchat" },
          scopes: ["operator.read", "operator.write"],
        });
        try {
          const hello = await client.connect();
          const health = await client.request("health");
          const status = await client.request("status");
          const states: string[] = [];
          let text = "";
          const final = new Promise<void>((resolve) => {
            client.on("chat", (event) => {
              states.push(event.state);
              if (event.state === "delta") text += event.deltaText ?? "";
              if (event.state === "final") resolve();
            });
          });
          const sent = await client.request("chat.send", {
            sessionKey: "agent:main:main",
            message: "from the browser",
          });
          await final;
          return {
            protocol: hello.protocol,
            methods: hello.features.methods,
            healthOk: health.ok,
            healthTs: typeof health.ts,
            statusKeys: Object.keys(status),
            runId: sent.runId,
            states,
            text,
            sockets: w.socketUrls,
            hasProcess: typeof (globalThis as { process?: unknown }).process !== "undefined",
            origin: location.origin,
          };
        } finally {
          await client.close();
        }
      },
      { url: address.url, token: TOKEN },
    );
    expect(report.origin).toBe(`http://${ALLOWED_HOST}:${pagePort}`);
    expect(report.hasProcess).toBe(false);
    expect(report.sockets).toEqual([address.url]);
    expect([3, 4]).toContain(report.protocol);
    expect(report.methods).toEqual(expect.arrayContaining(["health", "status", "chat.send"]));
    expect(report.healthOk).toBe(true);
    expect(report.healthTs).toBe("number");
    expect(report.statusKeys.length).toBeGreaterThan(0);
    expect(report.runId).toBeTruthy();
    expect(report.states).toContain("delta");
    expect(report.states.at(-1)).toBe("final");
    expect(report.text).toContain("echo: from the browser");
  });

  it("reports a wrong token as the documented unauthorized connect error", async () => {
    const { address } = await startGateway();
    const page = await openPage(ALLOWED_HOST);
    const error = await page.evaluate(
      async ({ url }) => {
        const w = window as unknown as PageWindow;
        const client = new w.openclaw.GatewayClient({
          url,
          auth: { token: "not-the-token" },
          client: { id: "webchat-ui", mode: "webchat" },
        });
        try {
          await client.connect();
          return undefined;
        } catch (caught) {
          const e = caught as { code?: string; detailCode?: string; message?: string; isRetryable?: boolean };
          return {
            isOpenClawError: w.openclaw.OpenClawError.isInstance(caught),
            code: e.code,
            detailCode: e.detailCode,
            message: e.message,
            retryable: e.isRetryable,
          };
        } finally {
          await client.close();
        }
      },
      { url: address.url },
    );
    expect(error).toEqual({
      isOpenClawError: true,
      code: "INVALID_REQUEST",
      detailCode: "AUTH_TOKEN_MISMATCH",
      message: expect.stringMatching(/^unauthorized: gateway token mismatch/),
      retryable: false,
    });
  });

  it("is refused when the page's origin is not in gateway.controlUi.allowedOrigins", async () => {
    const { address } = await startGateway();
    const page = await openPage(OTHER_HOST);
    const error = await page.evaluate(
      async ({ url, token }) => {
        const w = window as unknown as PageWindow;
        const client = new w.openclaw.GatewayClient({
          url,
          auth: { token },
          client: { id: "webchat-ui", mode: "webchat" },
        });
        try {
          await client.connect();
          return undefined;
        } catch (caught) {
          const e = caught as { code?: string; detailCode?: string; message?: string };
          return { code: e.code, detailCode: e.detailCode, message: e.message, origin: location.origin };
        } finally {
          await client.close();
        }
      },
      { url: address.url, token: TOKEN },
    );
    expect(error).toEqual({
      code: "INVALID_REQUEST",
      detailCode: "CONTROL_UI_ORIGIN_NOT_ALLOWED",
      message: `origin not allowed: http://${OTHER_HOST}:${pagePort} (add it to gateway.controlUi.allowedOrigins)`,
      origin: `http://${OTHER_HOST}:${pagePort}`,
    });
  });

  it("signs the challenge with a WebCrypto device key from a loopback page, then reuses the device token", async () => {
    const { address } = await startGateway();
    // http://127.0.0.1 is a secure context (WebCrypto available) and, being a loopback origin on a
    // loopback connection, needs no allowedOrigins entry.
    const page = await openPage("127.0.0.1");
    const report = await page.evaluate(
      async ({ url, token }) => {
        const w = window as unknown as PageWindow;
        const identity = await w.openclaw.generateDeviceIdentity();
        const issued: string[] = [];
        const first = new w.openclaw.GatewayClient({
          url,
          auth: { token },
          device: identity,
          client: { id: "openclaw-control-ui", mode: "ui" },
          scopes: ["operator.read"],
          onDeviceToken: (deviceToken) => {
            issued.push(deviceToken);
          },
        });
        const hello = await first.connect();
        await first.close();
        // Next visit: the stored device token alone, no shared gateway token.
        const again = new w.openclaw.GatewayClient({
          url,
          auth: { deviceToken: issued[0] ?? "" },
          device: identity,
          client: { id: "openclaw-control-ui", mode: "ui" },
          scopes: ["operator.read"],
        });
        try {
          await again.connect();
          const health = await again.request("health");
          return {
            secure: isSecureContext,
            deviceId: identity.deviceId,
            role: hello.auth?.role,
            deviceToken: hello.auth?.deviceToken,
            issued,
            healthOk: health.ok,
          };
        } finally {
          await again.close();
        }
      },
      { url: address.url, token: TOKEN },
    );
    expect(report.secure).toBe(true);
    expect(report.deviceId).toMatch(/^[0-9a-f]{64}$/);
    expect(report.role).toBe("operator");
    expect(report.deviceToken).toBeTruthy();
    expect(report.issued).toEqual([report.deviceToken]);
    expect(report.healthOk).toBe(true);
  });

  it("reconnects after the gateway restarts on the same port", async () => {
    const first = await startGateway();
    const page = await openPage(ALLOWED_HOST);
    await page.evaluate(
      async ({ url, token }) => {
        const w = window as unknown as PageWindow;
        const client = new w.openclaw.GatewayClient({
          url,
          auth: { token },
          client: { id: "webchat-ui", mode: "webchat" },
          scopes: ["operator.read"],
          reconnect: { minDelayMs: 20, maxDelayMs: 200 },
        });
        let connects = 0;
        w.state.client = client;
        w.state.reconnected = new Promise<void>((resolve) => {
          client.onConnected(() => {
            connects++;
            w.state.connects = connects;
            if (connects === 2) resolve();
          });
        });
        await client.connect();
      },
      { url: first.address.url, token: TOKEN },
    );
    await first.stop();
    await startGateway({ stateDir: first.stateDir, port: first.address.port });
    const after = await page.evaluate(async () => {
      const w = window as unknown as PageWindow;
      const client = w.state.client;
      if (!client) throw new Error("no client parked on the page");
      await w.state.reconnected;
      const health = await client.request("health");
      await client.close();
      return { healthOk: health.ok, connects: w.state.connects, sockets: w.socketUrls.length };
    });
    expect(after.healthOk).toBe(true);
    expect(after.connects).toBe(2);
    expect(after.sockets).toBeGreaterThanOrEqual(2);
  });
});
