import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { createChannelManager, type InboundTurn } from "@openclaw/core";
import { createPluginRegistry } from "@openclaw/core/plugins";
import { FakeSignalDaemon } from "@openclaw/testkit";
import { afterEach, beforeEach, expect, it } from "vitest";
import { installPlugin } from "./plugins-install.js";

// The Signal channel as a third party gets it: its npm pack tarball installed the way
// `openclaw plugins install <file.tgz>` does (checked archive, runtime dependencies from the npm
// registry, no workspace package needed), then loaded through the plugin registry of an OpenClaw
// that does not bundle it, and answering a DM through the fake signal-cli daemon.
const run = promisify(execFile);
const repo = path.join(import.meta.dirname, "../../../..");
const pkgDir = path.join(repo, "packages/channels-signal");

let dir: string;
let fake: FakeSignalDaemon;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "openclaw-plugin-tarball-"));
  fake = await new FakeSignalDaemon().start();
});
afterEach(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

it("installs @openclaw/channels-signal from its packed tarball and answers through the installed copy", async () => {
  // CI builds before it tests; a fresh checkout without dist builds it here
  if (!existsSync(path.join(pkgDir, "dist/index.js")))
    await run("pnpm", ["build"], { cwd: pkgDir, timeout: 120_000 });
  await run("pnpm", ["pack", "--pack-destination", dir], { cwd: pkgDir, timeout: 60_000 });
  const stateDir = path.join(dir, "state");
  process.env.npm_config_prefer_offline = "true";
  const installed = await installPlugin({
    spec: path.join(dir, "openclaw-channels-signal-0.1.0.tgz"),
    stateDir,
  });
  expect(installed).toMatchObject({ id: "signal", kind: "channel", source: "archive", version: "0.1.0" });
  expect(existsSync(path.join(installed.installPath, "node_modules/qrcode"))).toBe(true);
  expect(existsSync(path.join(installed.installPath, "node_modules/@openclaw"))).toBe(false);

  const config = { plugins: { entries: { signal: { enabled: true } } } };
  const registry = createPluginRegistry({ config, stateDir, bundled: [] });
  expect(registry.get("signal")).toMatchObject({ state: "enabled" });
  const plugins = await registry.loadChannels(["signal"]);
  expect(plugins.map((p) => p.id)).toEqual(["signal"]);

  const turns: InboundTurn[] = [];
  const manager = createChannelManager({
    plugins,
    getConfig: () => ({
      channels: { signal: { account: fake.account, httpUrl: fake.url, allowFrom: ["+15551234567"] } },
    }),
    stateDir,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    assistant: {
      enqueue: async (turn: InboundTurn) => {
        turns.push(turn);
        return { payloads: [{ text: `echo: ${turn.text}` }] };
      },
    },
  });
  await manager.start();
  try {
    fake.inject(fake.receive("receiveDm"));
    const [reply] = await fake.waitForSent(1);
    expect(reply).toMatchObject({ to: "+15551234567", text: "echo: Salut, tu peux m'aider ?" });
  } finally {
    await manager.stop();
  }
}, 120_000);
