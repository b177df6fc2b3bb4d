// Shared by the Control UI's browser tests (and tests/security): build the UI once into a temp
// dir, start the real assembled gateway (core's config store and assistant) on 127.0.0.1:0 with
// the fake OpenAI server as its model, and drive Debian's Chromium through playwright-core.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { type FakeOpenAIServer, startFakeOpenAI } from "@openclaw/testkit";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import type { Assembled } from "../../openclaw/src/gateway-assembly.js";

export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
export const UI_TOKEN = "control-ui-token-0123456789abcdef";
const APP_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");
/** Where the test run writes its screenshots (git-ignored). */
export const SCREENSHOTS = join(APP_DIR, "screenshots");

const ROOT = join(APP_DIR, "../..");
/** What the build reads: the UI, the workspace packages it bundles, the lockfile. */
const BUILD_INPUTS = [
  "apps/control-ui/index.html",
  "apps/control-ui/vite.config.ts",
  "apps/control-ui/package.json",
  "apps/control-ui/src",
  "packages/client/package.json",
  "packages/client/src",
  "packages/protocol/package.json",
  "packages/protocol/src",
  "pnpm-lock.yaml",
];

/** A hash of the build's inputs (their paths and contents). */
async function inputsKey(): Promise<string> {
  const hash = createHash("sha256");
  const add = async (path: string): Promise<void> => {
    const info = await stat(path).catch(() => undefined);
    if (!info) return;
    if (info.isDirectory()) {
      for (const name of (await readdir(path)).sort()) await add(join(path, name));
      return;
    }
    hash.update(`${relative(ROOT, path)}\0`);
    hash.update(await readFile(path));
  };
  for (const input of BUILD_INPUTS) await add(join(ROOT, input));
  return hash.digest("hex").slice(0, 16);
}

/**
 * The production build for the current sources, built once and shared by the browser test files
 * of a run (each used to spend most of its time in vite): kept in the temp dir under a hash of
 * the inputs, so any source change builds again.
 */
async function sharedBuild(): Promise<string> {
  const dir = join(tmpdir(), `openclaw-control-ui-build-${await inputsKey()}`);
  if (existsSync(join(dir, "index.html"))) return dir;
  const staging = await mkdtemp(join(tmpdir(), "openclaw-control-ui-staging-"));
  const { build } = await import("vite");
  await build({
    root: APP_DIR,
    configFile: join(APP_DIR, "vite.config.ts"),
    logLevel: "silent",
    build: { outDir: staging, emptyOutDir: true },
  });
  // a test file building at the same time may have won: keep its build
  await rename(staging, dir).catch(() => rm(staging, { recursive: true, force: true }));
  return dir;
}

/** The Control UI's production build (vite), in a fresh temp dir the caller owns. */
export async function buildUi(): Promise<string> {
  const outDir = await mkdtemp(join(tmpdir(), "openclaw-control-ui-"));
  await cp(await sharedBuild(), outDir, { recursive: true });
  return outDir;
}

export async function launchBrowser(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `${CHROMIUM} is missing: run \`bash scripts/ensure-chromium.sh\` (apt-get install chromium)`,
    );
  const profile = await mkdtemp(join(tmpdir(), "openclaw-ui-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 800 },
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
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

export interface UiGateway {
  assembled: Assembled;
  url: string;
  port: number;
  stateDir: string;
  configPath: string;
  workspace: string;
  fake: FakeOpenAIServer;
  stop(): Promise<void>;
}

/** The real assembled gateway with the fake model, serving the UI build at `/`. */
export async function startUiGateway(
  uiRoot: string,
  options: {
    configText?: (fakeUrl: string) => string;
    port?: number;
    fake?: FakeOpenAIServer;
    /** More top-level JSON5 keys for the default config (e.g. `channels: {…},`). */
    extra?: string;
  } = {},
): Promise<UiGateway> {
  const home = await mkdtemp(join(tmpdir(), "openclaw-ui-e2e-"));
  const stateDir = join(home, "state");
  await mkdir(join(home, "workspace"), { recursive: true });
  await mkdir(stateDir, { recursive: true });
  const fake = options.fake ?? (await startFakeOpenAI());
  const configPath = join(stateDir, "openclaw.json");
  const configText =
    options.configText?.(fake.baseURL) ??
    `// my gateway, written by hand
{
  gateway: {
    mode: "local",
    auth: { mode: "token", token: "${UI_TOKEN}" }, // keep this secret
    controlUi: { root: ${JSON.stringify(uiRoot)} },
  },
  logging: { file: ${JSON.stringify(join(stateDir, "gateway.log"))} },
  ${options.extra ?? ""}
  agents: { defaults: { workspace: ${JSON.stringify(join(home, "workspace"))}, model: "fake/gpt-test" } },
  models: {
    providers: {
      fake: {
        baseUrl: "${fake.baseURL}",
        api: "openai-completions",
        apiKey: "sk-e2e",
        models: [{ id: "gpt-test", name: "gpt-test", contextWindow: 128000 }],
      },
    },
  },
}
`;
  await writeFile(configPath, configText);
  const { assembleGateway } = await import("../../openclaw/src/gateway-assembly.js");
  const assembled = await assembleGateway({
    env: { PATH: process.env.PATH ?? "", HOME: home, OPENCLAW_STATE_DIR: stateDir },
    port: options.port ?? 0,
    console: false,
  });
  const address = await assembled.gateway.listen();
  await assembled.start();
  return {
    assembled,
    url: `http://127.0.0.1:${address.port}/`,
    port: address.port,
    stateDir,
    configPath,
    workspace: join(home, "workspace"),
    fake,
    async stop() {
      await assembled.gateway.close();
      await assembled.close();
      if (!options.fake) await fake.close();
      await rm(home, { recursive: true, force: true });
    },
  };
}

/** Screenshot the page at desktop and phone widths into {@link SCREENSHOTS}; returns the paths. */
export async function screenshots(page: Page, name: string): Promise<string[]> {
  await mkdir(SCREENSHOTS, { recursive: true });
  const paths: string[] = [];
  for (const [label, viewport] of [
    ["desktop", { width: 1280, height: 800 }],
    ["phone", { width: 390, height: 844 }],
  ] as const) {
    await page.setViewportSize(viewport);
    const path = join(SCREENSHOTS, `${name}-${label}.png`);
    await page.screenshot({ path, fullPage: false });
    paths.push(path);
  }
  await page.setViewportSize({ width: 1280, height: 800 });
  return paths;
}

/** Write a file's text (test helper for editing the config behind the UI's back). */
export async function writeText(path: string, text: string): Promise<void> {
  await writeFile(path, text);
}
