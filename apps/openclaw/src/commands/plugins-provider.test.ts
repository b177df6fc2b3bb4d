import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GatewayClient } from "@openclaw/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Assembled, assembleGateway } from "../gateway-assembly.js";

// A third-party model provider plugin (a ModelProviderV1 export, no dependency) installed in
// <stateDir>/extensions: the gateway's assistant answers a chat with it.
const TOKEN = "plugins-provider-token-0123456789";

const ECHO_PROVIDER = `
export default {
  specificationVersion: "v1",
  id: "echo-llm",
  languageModel: (modelId) => ({
    specificationVersion: "v1",
    provider: "echo-llm",
    modelId,
    async doStream(options) {
      const last = options.messages.at(-1);
      const text = typeof last.content === "string" ? last.content : last.content.map((part) => part.text ?? "").join("");
      async function* parts() {
        yield { type: "stream-start", warnings: [] };
        yield { type: "text-start", id: "t" };
        yield { type: "text-delta", id: "t", delta: "echo (" + modelId + "): " + text };
        yield { type: "text-end", id: "t" };
        yield { type: "finish", finishReason: "stop", usage: { inputTokens: 1, outputTokens: 1 } };
      }
      return { stream: parts() };
    },
  }),
};
`;

let home: string;
let assembled: Assembled;
let client: GatewayClient;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "openclaw-plugins-provider-"));
  const stateDir = join(home, "state");
  const plugin = join(stateDir, "extensions", "echo-llm");
  await mkdir(plugin, { recursive: true });
  await writeFile(join(plugin, "openclaw.plugin.json"), JSON.stringify({ id: "echo-llm", kind: "provider" }));
  await writeFile(
    join(plugin, "package.json"),
    JSON.stringify({
      name: "echo-llm",
      version: "1.0.0",
      type: "module",
      openclaw: { extensions: ["./index.js"] },
    }),
  );
  await writeFile(join(plugin, "index.js"), ECHO_PROVIDER);
  await writeFile(
    join(stateDir, "openclaw.json"),
    JSON.stringify({
      gateway: { auth: { token: TOKEN } },
      models: { providers: { "echo-llm": {} } },
      agents: { defaults: { workspace: join(home, "workspace"), model: { primary: "echo-llm/parrot" } } },
    }),
  );
  assembled = await assembleGateway({
    env: { PATH: process.env.PATH ?? "", HOME: home, OPENCLAW_STATE_DIR: stateDir },
    port: 0,
    console: false,
  });
  const address = await assembled.gateway.listen();
  client = new GatewayClient({ url: address.url, auth: { token: TOKEN }, reconnect: false });
  await client.connect();
});

afterAll(async () => {
  await client?.close();
  await assembled?.gateway.close();
  await assembled?.close();
  await rm(home, { recursive: true, force: true });
});

describe("a provider plugin", () => {
  it("serves the model refs of its provider id", async () => {
    const done = new Promise<{ state: string; text: string; errorMessage?: string }>((resolve) => {
      const off = client.on("chat", (payload) => {
        const event = payload as {
          state: string;
          errorMessage?: string;
          message?: { content?: { text?: string }[] };
        };
        if (event.state !== "final" && event.state !== "error") return;
        off();
        resolve({
          state: event.state,
          text: event.message?.content?.map((part) => part.text ?? "").join("") ?? "",
          ...(event.errorMessage ? { errorMessage: event.errorMessage } : {}),
        });
      });
    });
    await client.request("chat.send", { sessionKey: "main", message: "bonjour", idempotencyKey: "k1" });
    const final = await done;
    expect(final.errorMessage).toBeUndefined();
    expect(final).toMatchObject({ state: "final", text: "echo (parrot): bonjour" });
  });
});
