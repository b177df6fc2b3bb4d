import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import * as fsp from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { AtomicWriteFs } from "../fs/atomic-write.js";
import { ConfigError } from "./errors.js";
import { loadConfig } from "./load.js";
import { REDACTED } from "./redact.js";
import { applyConfig, patchConfig, setConfigValue, unsetConfigValue } from "./write.js";

const ORIGINAL = `// managed by hand
{
  gateway: {
    port: 18789, // keep this comment
    auth: { mode: "token", token: "secret-token-1234567890" },
  },
  /* unknown to us, must survive */
  futureFeature: { on: true },
  channels: {
    telegram: { enabled: true, botToken: "1:abc" },
  },
}
`;

function setup(text = ORIGINAL) {
  const root = mkdtempSync(join(tmpdir(), "openclaw-write-"));
  const state = join(root, "state");
  mkdirSync(state);
  const file = join(state, "openclaw.json");
  writeFileSync(file, text);
  const env: NodeJS.ProcessEnv = { HOME: root, OPENCLAW_STATE_DIR: state };
  return { root, state, file, options: { env, cwd: root, applyEnv: false } };
}

async function rejects(promise: Promise<unknown>, code: string): Promise<ConfigError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(ConfigError.isInstance(error), String(error)).toBe(true);
  expect((error as ConfigError).code).toBe(code);
  return error as ConfigError;
}

describe("config writes change only what was asked", () => {
  it("set keeps comments, order, unknown keys; file is 0600; a backup is taken", async () => {
    const { file, options } = setup();
    const result = await setConfigValue("gateway.port", 19000, options);
    const text = readFileSync(file, "utf8");
    expect(text).toBe(ORIGINAL.replace("port: 18789,", "port: 19000,"));
    expect(result.formatting).toBe("preserved");
    expect(result.changedPaths).toEqual(["gateway.port"]);
    expect(result.loaded.config.gateway.port).toBe(19000);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(`${file}.bak`, "utf8")).toBe(ORIGINAL);
  });

  it("unset removes one key; nested set creates parents", async () => {
    const { file, options } = setup();
    await unsetConfigValue("channels.telegram.botToken", options);
    await setConfigValue("logging.level", "debug", options);
    const loaded = await loadConfig({ ...options, path: file });
    expect(loaded.config.channels.telegram).toEqual({ enabled: true });
    expect(loaded.config.logging.level).toBe("debug");
    expect(readFileSync(file, "utf8")).toContain("/* unknown to us, must survive */");
    expect(loaded.parsed.futureFeature).toEqual({ on: true });
  });

  it("patch merges, null deletes, REDACTED keeps the stored secret", async () => {
    const { file, options } = setup();
    await patchConfig(
      { gateway: { bind: "lan", auth: { token: REDACTED } }, channels: { telegram: null } },
      options,
    );
    const loaded = await loadConfig({ ...options, path: file });
    expect(loaded.config.gateway).toMatchObject({
      bind: "lan",
      port: 18789,
      auth: { token: "secret-token-1234567890" },
    });
    expect(loaded.config.channels).toEqual({});
    expect(readFileSync(file, "utf8")).toContain("// keep this comment");
  });

  it("apply replaces the whole config but keeps comments on keys that did not change", async () => {
    const { file, options } = setup();
    const loaded = await loadConfig({ ...options, path: file });
    const next = structuredClone(loaded.parsed) as Record<string, any>;
    delete next.futureFeature;
    next.gateway.auth.token = REDACTED;
    next.logging = { level: "warn" };
    await applyConfig(next, { ...options, baseHash: loaded.hash });
    const text = readFileSync(file, "utf8");
    expect(text).toContain("port: 18789, // keep this comment");
    expect(text).not.toContain("futureFeature");
    expect(text).toContain("secret-token-1234567890");
    expect((await loadConfig({ ...options, path: file })).config.logging.level).toBe("warn");
  });

  it("backups rotate: .bak, .bak.1 … .bak.4", async () => {
    const { file, options } = setup();
    for (let port = 1; port <= 7; port++) await setConfigValue("gateway.port", 20000 + port, options);
    expect(readFileSync(`${file}.bak`, "utf8")).toContain("port: 20006");
    expect(readFileSync(`${file}.bak.1`, "utf8")).toContain("port: 20005");
    expect(readFileSync(`${file}.bak.4`, "utf8")).toContain("port: 20002");
    expect(existsSync(`${file}.bak.5`)).toBe(false);
  });

  it("creates the file when missing", async () => {
    const { file, options } = setup();
    await fsp.unlink(file);
    await setConfigValue("gateway.port", 18000, options);
    expect((await loadConfig({ ...options, path: file })).config.gateway.port).toBe(18000);
  });
});

describe("writes with $include", () => {
  it("a key that comes from an included file is overridden by a sibling in the main file; the include is untouched", async () => {
    const { file, state, options } = setup(
      '{\n  $include: "./base.json5",\n  gateway: { bind: "loopback" },\n}\n',
    );
    writeFileSync(join(state, "base.json5"), "{ gateway: { port: 18789 }, logging: { level: 'warn' } }\n");
    await setConfigValue("logging.level", "debug", options);
    expect(readFileSync(join(state, "base.json5"), "utf8")).toBe(
      "{ gateway: { port: 18789 }, logging: { level: 'warn' } }\n",
    );
    expect(readFileSync(file, "utf8")).toContain('$include: "./base.json5"');
    const loaded = await loadConfig({ ...options, path: file });
    expect(loaded.config.logging.level).toBe("debug");
    expect(loaded.config.gateway).toMatchObject({ port: 18789, bind: "loopback" });
  });
});

describe("config writes refuse bad input and lose nothing", () => {
  it("an invalid value is rejected before writing", async () => {
    const { file, options } = setup();
    const error = await rejects(setConfigValue("gateway.bind", "everywhere", options), "CONFIG_INVALID");
    expect(error.issues[0]).toMatchObject({ path: "gateway.bind", value: "everywhere" });
    expect(readFileSync(file, "utf8")).toBe(ORIGINAL);
    expect(existsSync(`${file}.bak`)).toBe(false);
  });

  it("setting an unknown key is refused with a suggestion (unless allowed)", async () => {
    const { file, options } = setup();
    const error = await rejects(setConfigValue("gateway.prot", 1, options), "CONFIG_INVALID");
    expect(error.message).toContain('gateway.prot: unknown key — did you mean "gateway.port"?');
    expect(readFileSync(file, "utf8")).toBe(ORIGINAL);
    await setConfigValue("gateway.prot", 1, { ...options, allowUnknownKeys: true });
    expect(readFileSync(file, "utf8")).toContain("prot: 1");
    // keys inside open blocks (channel extras) are not unknown
    await setConfigValue("channels.telegram.streamMode", "partial", options);
  });

  it("a ${VAR} missing from this shell does not block editing another key (it stays literal in the file)", async () => {
    const { file, options } = setup(
      '{ models: { providers: { openai: { apiKey: "${OPENAI_KEY_ONLY_IN_GATEWAY}" } } } }\n',
    );
    await setConfigValue("gateway.port", 18888, options);
    expect(readFileSync(file, "utf8")).toContain('"${OPENAI_KEY_ONLY_IN_GATEWAY}"');
    await expect(loadConfig({ ...options, path: file })).rejects.toMatchObject({
      code: "CONFIG_ENV_MISSING",
    });
  });

  it("a stale baseHash is refused", async () => {
    const { file, options } = setup();
    const loaded = await loadConfig({ ...options, path: file });
    await setConfigValue("gateway.port", 1111, options);
    await rejects(
      setConfigValue("gateway.port", 2222, { ...options, baseHash: loaded.hash }),
      "CONFIG_STALE",
    );
    expect(readFileSync(file, "utf8")).toContain("port: 1111");
  });

  it("disk full: the write fails, the old file is intact, the error is clear", async () => {
    const { file, state, options } = setup();
    const fullDisk: AtomicWriteFs = {
      open: async (path, flags, mode) => {
        const handle = await fsp.open(path, flags, mode);
        return {
          writeFile: async () => {
            await handle.writeFile("{ gateway: { po"); // partial data, then the disk is full
            throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
          },
          sync: () => handle.sync(),
          close: () => handle.close(),
        };
      },
      rename: fsp.rename,
      unlink: fsp.unlink,
    };
    const error = await rejects(
      setConfigValue("gateway.port", 3333, { ...options, fs: fullDisk }),
      "CONFIG_WRITE",
    );
    expect(error.message).toContain("no space left on device");
    expect(readFileSync(file, "utf8")).toBe(ORIGINAL);
    expect((await fsp.readdir(state)).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });

  it("read-only file system at rename time: clear error, old file intact", async () => {
    const { file, state, options } = setup();
    const readOnly: AtomicWriteFs = {
      open: (path, flags, mode) => fsp.open(path, flags, mode),
      rename: async () => {
        throw Object.assign(new Error("EROFS: read-only file system, rename"), { code: "EROFS" });
      },
      unlink: fsp.unlink,
    };
    const error = await rejects(
      setConfigValue("gateway.port", 4444, { ...options, backups: 0, fs: readOnly }),
      "CONFIG_WRITE",
    );
    expect(error.message).toContain("read-only file system");
    expect(readFileSync(file, "utf8")).toBe(ORIGINAL);
    expect((await fsp.readdir(state)).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });

  it("a path through a scalar is a CONFIG_PATH error", async () => {
    const { options } = setup();
    await rejects(setConfigValue("gateway.port.deep", 1, options), "CONFIG_PATH");
  });
});
