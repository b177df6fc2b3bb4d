// Run: pnpm exec tsx --conditions=@openclaw/source packages/core/examples/embed.ts
// An assistant embedded in a script: no server, a tiny in-process "echo" model, state in a temp dir.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createAssistant } from "@openclaw/core";
import type { LanguageModelV1, ModelProviderV1 } from "@openclaw/protocol";

const echo: LanguageModelV1 = {
  specificationVersion: "v1",
  provider: "echo",
  modelId: "v1",
  async doStream(options) {
    const last = options.messages.at(-1);
    const text =
      last?.role === "user"
        ? last.content.map((part) => (part.type === "text" ? part.text : "")).join("")
        : "";
    return {
      stream: (async function* () {
        yield { type: "stream-start" as const, warnings: [] };
        yield { type: "text-delta" as const, id: "t", delta: `You said: ${text}` };
        yield {
          type: "finish" as const,
          finishReason: "stop" as const,
          usage: { inputTokens: 1, outputTokens: 3 },
        };
      })(),
    };
  },
};
const provider: ModelProviderV1 = { specificationVersion: "v1", id: "echo", languageModel: () => echo };

const dir = mkdtempSync(join(tmpdir(), "openclaw-embed-"));
const assistant = createAssistant({
  config: { agents: { defaults: { model: "echo/v1", workspace: join(dir, "workspace") } } },
  providers: [provider],
  stateDir: join(dir, "state"),
});

for await (const event of assistant.send({ text: "hello" })) {
  if (event.type === "text-delta") process.stdout.write(event.delta);
  if (event.type === "final") process.stdout.write(`\n[final from ${event.model}]\n`);
  if (event.type === "error") process.stderr.write(`error: ${event.message}\n`);
}
const reply = await assistant.enqueue({ text: "/status" });
console.log(reply.text);
await assistant.close();
