import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import JSON5 from "json5";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// `openclaw plugins info|enable|disable|uninstall` from the sources (tsx), on a temp state dir.
const cli = join(import.meta.dirname, "../cli.ts");
const tsx = createRequire(join(import.meta.dirname, "../../../../package.json")).resolve("tsx");

let home: string;
let stateDir: string;

function openclaw(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { PATH: process.env.PATH, HOME: home, OPENCLAW_STATE_DIR: stateDir, NO_COLOR: "1" };
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--conditions=@openclaw/source", "--import", tsx, cli, ...args],
      { env, cwd: home, timeout: 30_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

const config = async () => JSON5.parse(await readFile(join(stateDir, "openclaw.json"), "utf8"));

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "openclaw-plugins-cli-"));
  stateDir = join(home, "state");
  const plugin = join(home, "hello-chat");
  await mkdir(plugin, { recursive: true });
  await writeFile(
    join(plugin, "openclaw.plugin.json"),
    JSON.stringify({ id: "hello-chat", kind: "channel", name: "Hello chat", description: "says hello" }),
  );
  await writeFile(
    join(plugin, "package.json"),
    JSON.stringify({
      name: "hello-chat",
      version: "3.1.0",
      type: "module",
      openclaw: { extensions: ["./index.js"] },
    }),
  );
  await writeFile(
    join(plugin, "index.js"),
    'export default { specificationVersion: "v2", id: "hello-chat" };\n',
  );
});

afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

describe("openclaw plugins", () => {
  it("install, info (with the load error), disable, enable, uninstall", async () => {
    const installed = await openclaw("plugins", "install", "./hello-chat");
    expect(installed.code).toBe(1); // installed, but it does not load
    expect(installed.stdout).toContain("Installed channel plugin hello-chat v3.1.0");
    expect(installed.stdout).toContain("does not load: PLUGIN_SPEC_UNSUPPORTED");
    expect((await config()).plugins).toMatchObject({
      installs: { "hello-chat": { source: "path", version: "3.1.0" } },
      entries: { "hello-chat": { enabled: true } },
    });

    const info = await openclaw("plugins", "info", "hello-chat");
    expect(info.code).toBe(1);
    expect(info.stdout).toMatch(/^name {8}Hello chat$/m);
    expect(info.stdout).toMatch(/^origin {6}installed$/m);
    expect(info.stdout).toMatch(/^status {6}error PLUGIN_SPEC_UNSUPPORTED: .*"v2"/m);

    const disabled = await openclaw("plugins", "disable", "hello-chat");
    expect(disabled.code).toBe(0);
    expect((await config()).plugins.entries["hello-chat"].enabled).toBe(false);
    const list = JSON.parse((await openclaw("plugins", "list", "--json")).stdout) as {
      plugins: { id: string; state: string; disabledReason?: string }[];
    };
    expect(list.plugins.find((p) => p.id === "hello-chat")).toMatchObject({
      state: "disabled",
      disabledReason: "plugins.entries.hello-chat.enabled is false",
    });
    expect((await openclaw("plugins", "enable", "hello-chat")).code).toBe(0);
    expect((await config()).plugins.entries["hello-chat"].enabled).toBe(true);

    const unknown = await openclaw("plugins", "enable", "nope");
    expect(unknown).toMatchObject({ code: 1, stderr: 'plugin "nope" not found (openclaw plugins list)\n' });
    const bundled = await openclaw("plugins", "uninstall", "telegram");
    expect(bundled.code).toBe(1);
    expect(bundled.stderr).toMatch(
      /is not installed in the state dir \(it is bundled\); use openclaw plugins disable telegram/,
    );
    expect((await openclaw("plugins", "uninstall", "../etc")).code).toBe(2);

    const removed = await openclaw("plugins", "uninstall", "hello-chat");
    expect(removed.code).toBe(0);
    expect(existsSync(join(stateDir, "extensions", "hello-chat"))).toBe(false);
    const after = (await config()).plugins;
    expect(after.installs?.["hello-chat"]).toBeUndefined();
    expect(after.entries?.["hello-chat"]).toBeUndefined();
  }, 60_000);
});
