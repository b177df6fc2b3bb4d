import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { installPlugin, removeInstalledPlugin } from "./plugins-install.js";

let dir: string;
let stateDir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "openclaw-plugin-install-"));
  stateDir = join(dir, "state");
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const MANIFEST = JSON.stringify({ id: "my-chat", kind: "channel" });
const PACKAGE = JSON.stringify({
  name: "my-chat",
  version: "2.0.0",
  type: "module",
  openclaw: { extensions: ["./index.js"] },
});

async function pluginFolder(name = "my-chat", code = "export const x = 1;\n"): Promise<string> {
  const folder = join(dir, name);
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, "openclaw.plugin.json"), MANIFEST);
  await writeFile(join(folder, "package.json"), PACKAGE);
  await writeFile(join(folder, "index.js"), code);
  return folder;
}

/** A ustar header + body, written by hand so an archive can hold what tar programs refuse to make. */
function tarEntry(name: string, body = "", type = "0", linkname = ""): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0, 100);
  header.write("0000644\0", 100);
  header.write("0000000\0", 108);
  header.write("0000000\0", 116);
  header.write(`${Buffer.byteLength(body).toString(8).padStart(11, "0")}\0`, 124);
  header.write("00000000000\0", 136);
  header.write("        ", 148);
  header.write(type, 156);
  header.write(linkname, 157, 100);
  header.write("ustar\0", 257);
  header.write("00", 263);
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
  const data = Buffer.alloc(Math.ceil(Buffer.byteLength(body) / 512) * 512);
  data.write(body);
  return Buffer.concat([header, data]);
}

async function archive(name: string, entries: Buffer[]): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, gzipSync(Buffer.concat([...entries, Buffer.alloc(1024)])));
  return file;
}

const goodEntries = () => [
  tarEntry("package/openclaw.plugin.json", MANIFEST),
  tarEntry("package/package.json", PACKAGE),
  tarEntry("package/index.js", "export const x = 1;\n"),
];

describe("openclaw plugins install", () => {
  it("copies a folder into <stateDir>/extensions/<id>, without node_modules, and leaves no staging behind", async () => {
    const folder = await pluginFolder();
    await mkdir(join(folder, "node_modules", "dep"), { recursive: true });
    const installed = await installPlugin({ spec: folder, stateDir });
    expect(installed).toMatchObject({
      id: "my-chat",
      kind: "channel",
      source: "path",
      version: "2.0.0",
      replaced: false,
    });
    const target = join(stateDir, "extensions", "my-chat");
    expect(installed.installPath).toBe(target);
    expect((await readdir(target)).sort()).toEqual(["index.js", "openclaw.plugin.json", "package.json"]);
    expect(await readdir(join(stateDir, "extensions"))).toEqual(["my-chat"]);
  });

  it("refuses a second install of the same id unless --force, which replaces it", async () => {
    const folder = await pluginFolder();
    await installPlugin({ spec: folder, stateDir });
    await expect(installPlugin({ spec: folder, stateDir })).rejects.toMatchObject({
      code: "PLUGIN_EXISTS",
      message: expect.stringContaining("use --force to replace it"),
    });
    await writeFile(join(folder, "index.js"), "export const y = 2;\n");
    const again = await installPlugin({ spec: folder, stateDir, force: true });
    expect(again.replaced).toBe(true);
    expect(await readFile(join(stateDir, "extensions", "my-chat", "index.js"), "utf8")).toBe(
      "export const y = 2;\n",
    );
    expect(await readdir(join(stateDir, "extensions"))).toEqual(["my-chat"]);
  });

  it("refuses the id of a bundled plugin, and a folder without a manifest", async () => {
    const folder = await pluginFolder();
    await expect(
      installPlugin({ spec: folder, stateDir, reservedIds: new Set(["my-chat"]) }),
    ).rejects.toMatchObject({
      code: "PLUGIN_ID_CONFLICT",
    });
    await rm(join(folder, "openclaw.plugin.json"));
    await expect(installPlugin({ spec: folder, stateDir })).rejects.toMatchObject({
      code: "PLUGIN_NOT_FOUND",
    });
    expect(await readdir(join(stateDir, "extensions"))).toEqual([]);
  });

  it("installs an npm pack archive (.tgz with a package/ top directory)", async () => {
    const file = await archive("my-chat-2.0.0.tgz", goodEntries());
    const installed = await installPlugin({ spec: file, stateDir });
    expect(installed).toMatchObject({ id: "my-chat", source: "archive" });
    expect(await readFile(join(stateDir, "extensions", "my-chat", "index.js"), "utf8")).toBe(
      "export const x = 1;\n",
    );
  });

  it("refuses archives whose entries escape the plugin directory: .., absolute paths, links out", async () => {
    const cases: [string, Buffer][] = [
      ["dotdot.tgz", tarEntry("package/../../evil.js", "pwned")],
      ["absolute.tgz", tarEntry("/tmp/evil.js", "pwned")],
      ["symlink.tgz", tarEntry("package/link", "", "2", "../../../etc")],
      ["abs-symlink.tgz", tarEntry("package/link", "", "2", "/etc/passwd")],
      ["hardlink.tgz", tarEntry("package/hard", "", "1", "../outside")],
    ];
    for (const [name, evil] of cases) {
      const file = await archive(name, [...goodEntries(), evil]);
      await expect(installPlugin({ spec: file, stateDir }), name).rejects.toMatchObject({
        code: "ARCHIVE_UNSAFE",
        message: expect.stringContaining("nothing was installed"),
      });
    }
    expect(await readdir(join(stateDir, "extensions"))).toEqual([]);
    expect(existsSync(join(dir, "evil.js"))).toBe(false);
  });

  it("refuses a folder holding a symlink that leaves it", async () => {
    const folder = await pluginFolder();
    await symlink(join(dir), join(folder, "escape"));
    await expect(installPlugin({ spec: folder, stateDir })).rejects.toMatchObject({ code: "ARCHIVE_UNSAFE" });
    expect(await readdir(join(stateDir, "extensions"))).toEqual([]);
  });

  it("an npm spec goes through npm pack in a temp dir", async () => {
    const folder = await pluginFolder("source-pkg");
    const installed = await installPlugin({ spec: `file:${folder}`, stateDir });
    expect(installed).toMatchObject({ id: "my-chat", source: "npm", spec: `file:${folder}` });
    expect(existsSync(join(stateDir, "extensions", "my-chat", "openclaw.plugin.json"))).toBe(true);
  }, 30_000);

  it("a missing path is a clear error, not an npm lookup", async () => {
    await expect(installPlugin({ spec: "./nope", stateDir, cwd: dir })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });

  it("uninstall removes the directory", async () => {
    await installPlugin({ spec: await pluginFolder(), stateDir });
    expect(await removeInstalledPlugin(stateDir, "my-chat")).toBe(true);
    expect(await readdir(join(stateDir, "extensions"))).toEqual([]);
    expect(await removeInstalledPlugin(stateDir, "my-chat")).toBe(false);
  });
});
