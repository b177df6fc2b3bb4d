import { execFile } from "node:child_process";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, expect, it } from "vitest";

// `openclaw channels login --channel signal`: the plugin's interactive login (signal-cli link,
// here a stand-in script) prints the link as a terminal QR and the linked number is saved.
const run = promisify(execFile);
const cli = path.join(import.meta.dirname, "../cli.ts");
const tsx = createRequire(path.join(import.meta.dirname, "../../../../package.json")).resolve("tsx");

let home: string;
beforeEach(async () => {
  home = await mkdtemp(path.join(tmpdir(), "openclaw-cli-login-"));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

it("channels login --channel signal links a device: QR in the terminal, number saved in the config", async () => {
  const state = path.join(home, "state");
  await mkdir(state, { recursive: true });
  const fakeCli = path.join(home, "signal-cli");
  await writeFile(
    fakeCli,
    '#!/bin/sh\n[ "$1" = link ] || exit 2\necho "sgnl://linkdevice?uuid=Fake-UUID_1&pub_key=BQAbCdEf%2B"\necho "Associated with: +15550001111"\n',
  );
  await chmod(fakeCli, 0o755);
  await writeFile(
    path.join(state, "openclaw.json"),
    JSON.stringify({ channels: { signal: { cliPath: fakeCli } } }),
  );
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home,
    OPENCLAW_STATE_DIR: state,
    OPENCLAW_GATEWAY_PORT: "1",
    NO_COLOR: "1",
  };
  delete env.OPENCLAW_CONFIG_PATH;
  const { stdout } = await run(
    process.execPath,
    ["--conditions=@openclaw/source", "--import", tsx, cli, "channels", "login", "--channel", "signal"],
    { env },
  );
  expect(stdout).toContain("sgnl://linkdevice?uuid=Fake-UUID_1");
  expect(stdout).toMatch(/[▄▀█]/); // the QR code drawn with block characters
  expect(stdout).toContain("signal: linked as +15550001111");
  const config = JSON.parse(await readFile(path.join(state, "openclaw.json"), "utf8"));
  expect(config.channels.signal).toMatchObject({ account: "+15550001111", enabled: true, cliPath: fakeCli });
}, 30_000);
