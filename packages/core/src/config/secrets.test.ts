import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createConfigStore } from "./config-store.js";
import { ConfigError } from "./errors.js";
import { loadConfigSync } from "./load.js";
import { REDACTED, redactConfig } from "./redact.js";

function sandbox(config: string, files: Record<string, { text: string; mode?: number }> = {}) {
  const root = mkdtempSync(join(tmpdir(), "openclaw-secrets-"));
  const home = join(root, "home");
  const state = join(root, "state");
  const cwd = join(root, "cwd");
  for (const dir of [home, state, cwd]) mkdirSync(dir, { recursive: true });
  const file = join(state, "openclaw.json");
  writeFileSync(file, config);
  for (const [name, { text, mode }] of Object.entries(files)) {
    const path = join(state, name);
    writeFileSync(path, text);
    chmodSync(path, mode ?? 0o600);
  }
  return {
    file,
    state,
    options: { env: { HOME: home, OPENCLAW_STATE_DIR: state } as NodeJS.ProcessEnv, cwd, applyEnv: false },
  };
}

function loadError(options: Parameters<typeof loadConfigSync>[0]): ConfigError {
  try {
    loadConfigSync(options);
  } catch (error) {
    if (ConfigError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected the load to fail");
}

describe("SecretRefs { source, provider?, id } (spec §3.1)", () => {
  it("env source: a provider apiKey comes from the state dir .env; redaction still hides it; the file keeps the ref", () => {
    const box = sandbox(
      `{ models: { providers: { local: { baseUrl: "http://127.0.0.1:1/v1", api: "openai-completions",
         apiKey: { source: "env", id: "LOCAL_LLM_KEY" }, models: [] } } } }`,
      { ".env": { text: "LOCAL_LLM_KEY=sk-from-dotenv\n" } },
    );
    const loaded = loadConfigSync(box.options);
    expect(loaded.config.models.providers.local?.apiKey).toBe("sk-from-dotenv");
    expect(JSON.stringify(redactConfig(loaded.config))).not.toContain("sk-from-dotenv");
    expect((redactConfig(loaded.config) as typeof loaded.config).models.providers.local?.apiKey).toBe(
      REDACTED,
    );
    expect(readFileSync(box.file, "utf8")).toContain('source: "env"');
  });

  it("env source: an unset variable is a CONFIG_SECRET error naming the key path", () => {
    const box = sandbox(
      `{ gateway: { auth: { mode: "token", token: { source: "env", id: "NOPE_TOKEN" } } } }`,
    );
    const error = loadError(box.options);
    expect(error.code).toBe("CONFIG_SECRET");
    expect(error.keyPath).toBe("gateway.auth.token");
    expect(error.message).toMatch(/gateway\.auth\.token: environment variable NOPE_TOKEN is not set/);
  });

  it("file source: a channel token is read from a 0600 file (trailing newline dropped), no warning", () => {
    const box = sandbox(
      `{ channels: { telegram: { botToken: { source: "file", id: "./telegram.token" } } } }`,
      { "telegram.token": { text: "123:abc-secret\n", mode: 0o600 } },
    );
    const loaded = loadConfigSync(box.options);
    expect((loaded.config.channels.telegram as { botToken?: unknown }).botToken).toBe("123:abc-secret");
    expect(loaded.issues.filter((issue) => issue.code === "secret_file_permissions")).toEqual([]);
    expect(loaded.secretFiles).toEqual([join(box.state, "telegram.token")]);
    expect(JSON.stringify(redactConfig(loaded.config))).not.toContain("abc-secret");
  });

  it("file source: a file readable by others loads with a chmod 600 warning", () => {
    const box = sandbox(
      `{ gateway: { auth: { mode: "password", password: { source: "file", id: "pw.txt" } } } }`,
      {
        "pw.txt": { text: "hunter2", mode: 0o644 },
      },
    );
    const loaded = loadConfigSync(box.options);
    expect(loaded.config.gateway.auth.password).toBe("hunter2");
    const warning = loaded.issues.find((issue) => issue.code === "secret_file_permissions");
    expect(warning).toMatchObject({ severity: "warning", path: "gateway.auth.password" });
    expect(warning?.message).toMatch(/readable by others \(mode 0644\); run chmod 600/);
    expect(warning?.message).not.toContain("hunter2");
  });

  it("file source through secrets.providers (JSON pointer) for the gateway token", () => {
    const box = sandbox(
      `{ secrets: { providers: { vault: { source: "file", path: "./vault.json" } } },
         gateway: { auth: { mode: "token", token: { source: "file", provider: "vault", id: "/gateway/token" } } } }`,
      { "vault.json": { text: JSON.stringify({ gateway: { token: "tok-from-vault" } }) } },
    );
    expect(loadConfigSync(box.options).config.gateway.auth.token).toBe("tok-from-vault");
  });

  it("file source: a missing file or a missing pointer is a clear CONFIG_SECRET error", () => {
    const missing = sandbox(`{ hooks: { token: { source: "file", id: "./gone.token" } } }`);
    const error = loadError(missing.options);
    expect(error.code).toBe("CONFIG_SECRET");
    expect(error.message).toMatch(/hooks\.token: secret file .*gone\.token does not exist/);
    const pointer = sandbox(
      `{ secrets: { providers: { vault: { source: "file", path: "./vault.json" } } },
         gateway: { auth: { token: { source: "file", provider: "vault", id: "/nope" } } } }`,
      { "vault.json": { text: "{}" } },
    );
    expect(loadError(pointer.options).message).toMatch(/no string at JSON pointer "\/nope"/);
  });

  it("exec source is refused clearly (the spec does not define it)", () => {
    const box = sandbox(
      `{ gateway: { auth: { token: { source: "exec", provider: "op", id: "item/token" } } } }`,
    );
    const error = loadError(box.options);
    expect(error.code).toBe("CONFIG_SECRET");
    expect(error.message).toMatch(/source "exec" is not supported/);
  });

  it("CLI/write paths (missingEnv keep) keep an unresolvable ref with a warning instead of failing", () => {
    const box = sandbox(`{ gateway: { auth: { token: { source: "env", id: "UNSET_X" } } } }`);
    const loaded = loadConfigSync({ ...box.options, missingEnv: "keep" });
    expect(loaded.config.gateway.auth.token).toEqual({ source: "env", id: "UNSET_X" });
    expect(loaded.issues.find((issue) => issue.code === "secret_unresolved")?.path).toBe(
      "gateway.auth.token",
    );
  });

  it("config.get (redacted snapshot) never shows a resolved secret", () => {
    const box = sandbox(
      `{ gateway: { auth: { mode: "password", password: { source: "file", id: "pw" } } } }`,
      {
        pw: { text: "s3cr3t-pass" },
      },
    );
    const store = createConfigStore(box.options);
    try {
      expect((store.snapshot().config.gateway as { auth: { password: string } }).auth.password).toBe(
        "s3cr3t-pass",
      );
      expect(JSON.stringify(store.redactedSnapshot())).not.toContain("s3cr3t-pass");
    } finally {
      store.close();
    }
  });

  it("a redacted config.get round-trip written back keeps the SecretRef in the file", async () => {
    const box = sandbox(
      `{ gateway: { auth: { mode: "password", password: { source: "file", id: "pw" } } } }`,
      {
        pw: { text: "s3cr3t-pass" },
      },
    );
    const store = createConfigStore(box.options);
    try {
      const redacted = store.redactedSnapshot().config as { gateway: Record<string, unknown> };
      await store.patch({ gateway: { ...redacted.gateway, port: 19123 } }, store.snapshot().hash);
      const text = readFileSync(box.file, "utf8");
      expect(text).toContain('source: "file"');
      expect(text).not.toContain("s3cr3t-pass");
      expect(text).not.toContain("__OPENCLAW_REDACTED__");
      const live = store.snapshot().config as { gateway: { port: number; auth: { password: string } } };
      expect(live.gateway.port).toBe(19123);
      expect(live.gateway.auth.password).toBe("s3cr3t-pass");
    } finally {
      store.close();
    }
  });
});
