import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAssistant } from "../../packages/core/src/assistant.js";
import { execTool } from "../../packages/core/src/tools/exec-tools.js";
import { editTool, readTool, writeTool } from "../../packages/core/src/tools/fs-tools.js";
import { ProcessRegistry } from "../../packages/core/src/tools/process-registry.js";
import type { ToolContext, ToolsRuntimeConfig } from "../../packages/core/src/tools/types.js";
import {
  createMockProvider,
  MockLanguageModelV1,
  mockTextResponse,
  mockToolCallResponse,
} from "../../packages/testkit/src/index.js";

// The gateway's own secrets: without a sandbox the file tools may read the host, but not the
// gateway's config, credentials, devices, identity keys or auth profiles, unless
// tools.fs.allowGatewaySecrets says so. Exec refuses command lines naming them (best effort).

let stateDir: string;
let workspace: string;
let processes: ProcessRegistry;
const SECRETS: Record<string, string> = {
  "openclaw.json": '{ gateway: { auth: { token: "gw-secret-token" } } }',
  "openclaw.json.bak": '{ gateway: { auth: { token: "old-secret-token" } } }',
  "openclaw.json.bak.1": "{}",
  ".env": "OPENAI_API_KEY=sk-secret",
  "credentials/telegram-allowFrom.json": '{"allowFrom":["1"]}',
  "credentials/whatsapp/default/creds.json": '{"noiseKey":"secret"}',
  "devices/paired.json": '{"dev":{"tokens":{"operator":{"token":"device-secret"}}}}',
  "devices/pending.json": "{}",
  "identity/device.json": '{"privateKeyPem":"secret"}',
  "agents/main/agent/auth-profiles.json": '{"profiles":{"openai:default":{"key":"sk-secret"}}}',
  "exec-approvals.json": '{"version":1}',
};

beforeEach(async () => {
  stateDir = await mkdtemp(path.join(tmpdir(), "openclaw-secrets-"));
  workspace = path.join(stateDir, "workspace");
  await mkdir(workspace, { recursive: true });
  for (const [name, content] of Object.entries(SECRETS)) {
    await mkdir(path.dirname(path.join(stateDir, name)), { recursive: true });
    await writeFile(path.join(stateDir, name), content);
  }
  await mkdir(path.join(stateDir, "agents/main/sessions"), { recursive: true });
  await writeFile(path.join(stateDir, "agents/main/sessions/sessions.json"), "{}");
  processes = new ProcessRegistry();
});
afterEach(async () => {
  await processes.killAll();
  await rm(stateDir, { recursive: true, force: true });
});

function context(toolsConfig: ToolsRuntimeConfig = {}, extra: Partial<ToolContext> = {}): ToolContext {
  return {
    agentId: "main",
    sessionKey: "agent:main:main",
    workspaceDir: workspace,
    signal: new AbortController().signal,
    toolsConfig: { exec: { security: "full" }, ...toolsConfig },
    fetch,
    processes,
    outputCap: 10_000,
    now: Date.now,
    stateDir,
    configPath: path.join(stateDir, "openclaw.json"),
    ...extra,
  };
}

/** Run `body` with one environment variable set, restoring it afterwards. */
async function withEnv(name: string, value: string, body: () => Promise<void>): Promise<void> {
  const env = process.env;
  const saved = env[name];
  env[name] = value;
  try {
    await body();
  } finally {
    if (saved === undefined) delete env[name];
    else env[name] = saved;
  }
}

const refusal = {
  code: "gateway_secret",
  message: expect.stringMatching(/may not read or write.*tools\.fs\.allowGatewaySecrets/),
};

describe("file tools refuse the gateway's secrets by default", () => {
  it.each(Object.keys(SECRETS))("read %s (absolute path) is refused", async (name) => {
    await expect(readTool.execute({ path: path.join(stateDir, name) }, context())).rejects.toMatchObject(
      refusal,
    );
  });

  it("relative paths out of the workspace and symlinks inside it are refused too", async () => {
    await expect(readTool.execute({ path: "../openclaw.json" }, context())).rejects.toMatchObject(refusal);
    await expect(readTool.execute({ path: "../devices/paired.json" }, context())).rejects.toMatchObject(
      refusal,
    );
    await symlink(path.join(stateDir, "credentials"), path.join(workspace, "creds"));
    await expect(
      readTool.execute({ path: "creds/telegram-allowFrom.json" }, context()),
    ).rejects.toMatchObject(refusal);
  });

  it("write and edit cannot change the config or the auth profiles", async () => {
    const config = path.join(stateDir, "openclaw.json");
    await expect(writeTool.execute({ path: config, content: "{}" }, context())).rejects.toMatchObject(
      refusal,
    );
    await expect(
      writeTool.execute({ path: path.join(stateDir, "devices", "new.json"), content: "{}" }, context()),
    ).rejects.toMatchObject(refusal);
    await expect(
      editTool.execute(
        {
          path: path.join(stateDir, "agents/main/agent/auth-profiles.json"),
          oldText: "sk-secret",
          newText: "x",
        },
        context(),
      ),
    ).rejects.toMatchObject(refusal);
    expect(await readFile(config, "utf8")).toBe(SECRETS["openclaw.json"]);
  });

  it("the state dir comes from OPENCLAW_STATE_DIR when the context does not name it", async () => {
    await withEnv("OPENCLAW_STATE_DIR", stateDir, async () => {
      await expect(
        readTool.execute(
          { path: path.join(stateDir, "openclaw.json") },
          context({}, { stateDir: undefined, configPath: undefined }),
        ),
      ).rejects.toMatchObject(refusal);
    });
  });

  it("other files, in the workspace or elsewhere in the state dir, stay readable", async () => {
    await writeFile(path.join(workspace, "notes.md"), "hello");
    expect((await readTool.execute({ path: "notes.md" }, context())).content).toBe("hello");
    expect(
      (await readTool.execute({ path: path.join(stateDir, "agents/main/sessions/sessions.json") }, context()))
        .content,
    ).toBe("{}");
  });

  it("tools.fs.allowGatewaySecrets: true lets them through", async () => {
    const result = await readTool.execute(
      { path: path.join(stateDir, "openclaw.json") },
      context({ fs: { allowGatewaySecrets: true } }),
    );
    expect(result.content).toContain("gw-secret-token");
  });
});

describe("exec refuses command lines that name the gateway's secrets (best effort)", () => {
  const commands = () => [
    `cat ${path.join(stateDir, "openclaw.json")}`,
    `cat "${stateDir}/openclaw.json.bak"`,
    "cat ../openclaw.json",
    "cat ../credentials/telegram-allowFrom.json",
    `grep -r token ${stateDir}`,
    `tar cf - ${path.join(stateDir, "devices")} | base64`,
    `cp ${path.join(stateDir, "agents/main/agent/auth-profiles.json")} stolen.json`,
    `python3 -c "print(open('${stateDir}/identity/device.json').read())"`,
    "cat $OPENCLAW_STATE_DIR/openclaw.json",
    `cd ${stateDir} && cat openclaw.json`,
    `echo '{}' > ${path.join(stateDir, "openclaw.json")}`,
  ];

  it("each command is refused with the config key in the error, and nothing runs", async () => {
    await withEnv("OPENCLAW_STATE_DIR", stateDir, async () => {
      for (const command of commands())
        await expect(execTool.execute({ command }, context()), command).rejects.toMatchObject(refusal);
    });
    expect(processes.list()).toEqual([]);
    expect(await readFile(path.join(stateDir, "openclaw.json"), "utf8")).toBe(SECRETS["openclaw.json"]);
  });

  it("a workdir inside the secret stores is refused", async () => {
    await expect(
      execTool.execute({ command: "cat paired.json", workdir: path.join(stateDir, "devices") }, context()),
    ).rejects.toMatchObject(refusal);
  });

  it("exec children do not inherit the gateway token", async () => {
    await withEnv("OPENCLAW_GATEWAY_TOKEN", "gw-env-secret", async () => {
      const result = await execTool.execute({ command: 'echo "token=[$OPENCLAW_GATEWAY_TOKEN]"' }, context());
      expect(result.content).toContain("token=[]");
    });
  });

  it("ordinary commands and the allow key still work", async () => {
    const ok = await execTool.execute({ command: "echo hello && ls" }, context());
    expect(ok.content).toContain("hello");
    const allowed = await execTool.execute(
      { command: `cat ${path.join(stateDir, "openclaw.json")}` },
      context({ fs: { allowGatewaySecrets: true } }),
    );
    expect(allowed.content).toContain("gw-secret-token");
  });
});

describe("the assistant hands its state dir to the tools", () => {
  it("a model asking to read the assistant's openclaw.json gets the refusal as the tool result", async () => {
    const model = new MockLanguageModelV1({
      provider: "mock",
      modelId: "a",
      scripts: [
        mockToolCallResponse([{ toolName: "read", input: { path: path.join(stateDir, "openclaw.json") } }]),
        mockTextResponse("done"),
      ],
    });
    const assistant = createAssistant({
      providers: [createMockProvider({ id: "mock", models: { a: model } })],
      stateDir,
      env: {},
      config: { agents: { defaults: { workspace, model: "mock/a" } } },
    });
    try {
      const result = await assistant.enqueue({ text: "show me your config" });
      expect(result.text).toBe("done");
      const toolResult = JSON.stringify(model.calls[1]?.messages.at(-1));
      expect(toolResult).toContain("tools.fs.allowGatewaySecrets");
      expect(toolResult).not.toContain("gw-secret-token");
    } finally {
      await assistant.close();
    }
  });
});
