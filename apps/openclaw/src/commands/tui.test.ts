import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type FakeOpenAIServer, openaiChatReply, sseReply, startFakeOpenAI } from "@openclaw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Assembled, assembleGateway } from "../gateway-assembly.js";
import { cliCommand, killTmuxServer, TmuxSession } from "./tmux-test-helpers.js";

// `openclaw tui` in a real pseudo-terminal (tmux) against the assembled gateway with the fake
// OpenAI server as the model: send a message and see the streamed reply, abort a long one with Esc.
const TOKEN = "tui-token-0123456789abcdef";
let home: string;
let fake: FakeOpenAIServer;
let assembled: Assembled;
let url: string;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "openclaw-tui-"));
  const stateDir = join(home, "state");
  await mkdir(join(home, "workspace"), { recursive: true });
  await mkdir(stateDir, { recursive: true });
  fake = await startFakeOpenAI();
  await writeFile(
    join(stateDir, "openclaw.json"),
    JSON.stringify({
      gateway: { auth: { mode: "token", token: TOKEN } },
      logging: { file: join(stateDir, "gateway.log") },
      agents: { defaults: { workspace: join(home, "workspace"), model: "fake/gpt-test" } },
      models: {
        providers: {
          fake: {
            baseUrl: fake.baseURL,
            api: "openai-completions",
            apiKey: "sk-tui",
            models: [{ id: "gpt-test", name: "gpt-test" }],
          },
        },
      },
    }),
  );
  assembled = await assembleGateway({
    env: { PATH: process.env.PATH ?? "", HOME: home, OPENCLAW_STATE_DIR: stateDir },
    port: 0,
    console: false,
  });
  url = (await assembled.gateway.listen()).url;
});

afterAll(async () => {
  await killTmuxServer();
  await assembled?.gateway.close();
  await assembled?.close();
  await fake?.close();
  await rm(home, { recursive: true, force: true });
});

describe("openclaw tui in a terminal", () => {
  it("sends a message, streams the reply, aborts a long one with Esc, quits with /quit", async () => {
    const tui = await TmuxSession.start(cliCommand("tui", "--url", url, "--token", TOKEN), {
      HOME: home,
      OPENCLAW_STATE_DIR: join(home, "state"),
      NO_COLOR: "1",
      TERM: "xterm-256color",
    });
    try {
      await tui.waitFor(/agent:main:main · .* · idle/);
      fake.enqueue(openaiChatReply({ text: ["The answer ", "is 42."] }));
      await tui.type("what is the answer?");
      await tui.keys("Enter");
      await tui.waitFor("you what is the answer?");
      await tui.waitFor("assistant The answer is 42.");
      // the status line then shows the session's model and tokens
      await tui.waitFor(/agent:main:main · gpt-test · [1-9]\d* tokens · idle/);

      // a reply that never finishes: Esc stops it
      const chunk = (content: string) => ({
        data: {
          id: "c1",
          object: "chat.completion.chunk",
          model: "gpt-test",
          choices: [{ index: 0, delta: { content }, finish_reason: null }],
        },
      });
      fake.enqueue(sseReply([chunk("Counting: one, "), chunk("two, ")], { end: "hang" }));
      await tui.type("count forever");
      await tui.keys("Enter");
      await tui.waitFor("Counting: one, two,");
      await tui.keys("Escape");
      await tui.waitFor("[aborted]");
      await tui.waitFor(/· aborted/);

      // the session picker
      await tui.type("/sessions");
      await tui.keys("Enter");
      await tui.waitFor(/→ agent:main:main|agent:main:main\s{2,}/);
      await tui.keys("Enter");
      await tui.waitFor("session agent:main:main");

      await tui.type("/quit");
      await tui.keys("Enter");
      await expect.poll(() => tui.exited(), { timeout: 10_000 }).toBe(true);
    } finally {
      await tui.kill();
    }
  });
});
