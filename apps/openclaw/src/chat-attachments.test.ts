import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import vm from "node:vm";
import { GatewayClient } from "@openclaw/client";
import { type FakeOpenAIServer, openaiChatReply, startFakeOpenAI } from "@openclaw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openclaw } from "./commands/cli-test-helpers.js";
import { type Assembled, assembleGateway } from "./gateway-assembly.js";

// Through the real assembly and a fake OpenAI-compatible model: chat commands and their replies
// are part of chat.history but never of the model's context; images sent with chat.send, agent
// and `openclaw agent --attach` reach the model as image parts, with clear refusals.
const TOKEN = "chat-attachments-token-0123456789";
const savedEnv = { ...process.env };
let home: string;
let fake: FakeOpenAIServer;
let assembled: Assembled;
let url: string;
let client: GatewayClient;

/** A 1×1 PNG. */
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
  "base64",
);

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "openclaw-chat-attachments-"));
  const stateDir = join(home, "state");
  await mkdir(stateDir, { recursive: true });
  fake = await startFakeOpenAI();
  await writeFile(
    join(stateDir, "openclaw.json"),
    JSON.stringify({
      gateway: { auth: { token: TOKEN } },
      agents: {
        defaults: {
          workspace: join(home, "workspace"),
          model: "fake/vision",
          models: { "fake/vision": {}, "fake/textonly": {} },
          // 16 KB per attachment, so the size refusal is cheap to test
          mediaMaxMb: 1 / 64,
        },
      },
      models: {
        providers: {
          fake: {
            baseUrl: fake.baseURL,
            api: "openai-completions",
            apiKey: "sk-chat-attachments",
            models: [
              { id: "vision", input: ["text", "image"] },
              { id: "textonly", input: ["text"] },
            ],
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
  process.env.HOME = join(home, "cli");
  process.env.OPENCLAW_STATE_DIR = join(home, "cli", ".openclaw");
  delete process.env.OPENCLAW_GATEWAY_TOKEN;
  client = new GatewayClient({ url, auth: { token: TOKEN }, reconnect: false });
  await client.connect();
});
afterAll(async () => {
  process.env = { ...savedEnv };
  await client?.close();
  await assembled?.gateway.close();
  await assembled?.close();
  await fake?.close();
  await rm(home, { recursive: true, force: true });
});

const agent = (...args: string[]) => openclaw("agent", "--url", url, "--token", TOKEN, ...args);

interface HistoryMessage {
  role: string;
  command?: boolean;
  content?: { type: string; text?: string; mimeType?: string; omitted?: boolean }[];
}
const history = async (sessionKey: string) =>
  (await client.request("chat.history", { sessionKey })).messages as HistoryMessage[];
const textOf = (message: HistoryMessage) => message.content?.find((part) => part.type === "text")?.text;

/** The final `chat` event of a run. */
function finalOf(runId: string): Promise<{ state: string; errorMessage?: string; message?: unknown }> {
  return new Promise((resolve) => {
    const off = client.on("chat", (raw) => {
      const payload = raw as { runId?: string; state?: string; errorMessage?: string };
      if (payload.runId === runId && payload.state !== "delta") {
        off();
        resolve(payload as { state: string });
      }
    });
  });
}

describe("chat command replies in history", () => {
  it("openclaw agent --message /status: chat.history shows the command and its reply; the next model turn does not", async () => {
    fake.enqueue(openaiChatReply({ text: ["Hi there."] }));
    expect((await agent("--message", "hello")).stdout).toBe("Hi there.\n");
    const status = await agent("--message", "/status");
    expect(status.code).toBe(0);
    const reply = status.stdout.trim();
    expect(reply).toMatch(/model/i);

    const messages = await history("main");
    expect(messages.map((message) => [message.role, message.command ?? false, textOf(message)])).toEqual([
      ["user", false, "hello"],
      ["assistant", false, "Hi there."],
      ["user", true, "/status"],
      ["assistant", true, reply],
    ]);

    fake.enqueue(openaiChatReply({ text: ["Still here."] }));
    expect((await agent("--message", "and now?")).stdout).toBe("Still here.\n");
    const sent = JSON.stringify(fake.requests.at(-1)?.body.messages);
    expect(sent).toContain("hello");
    expect(sent).toContain("and now?");
    expect(sent).not.toContain("/status");
    expect(sent).not.toContain(reply.slice(0, 40));
  });

  it("/model and /reset replies stay in history after a reload (/reset's in the fresh session)", async () => {
    const sessionKey = "agent:main:webchat-commands";
    for (const [message, runId] of [
      ["/model fake/textonly", "cmd-model-1"],
      ["/reset", "cmd-reset-1"],
    ] as const) {
      const final = finalOf(runId);
      await client.request("chat.send", { sessionKey, message, idempotencyKey: runId });
      expect((await final).state).toBe("final");
    }
    const messages = await history(sessionKey);
    expect(messages.map((message) => [message.role, message.command, textOf(message)])).toEqual([
      ["user", true, "/reset"],
      ["assistant", true, expect.stringMatching(/^New session started/)],
    ]);
  });
});

describe("WebChat (/chat) after a reload", () => {
  it("shows a chat command and its reply from history", async () => {
    const script = await (await fetch(`${url.replace(/^ws/, "http")}/chat/webchat.js`)).text();
    const storage = new Map<string, string>();
    interface WebChat {
      sessionKey: string;
      onEvent(listener: (event: { type: string; text?: string }) => void): void;
      send(text: string): Promise<unknown>;
      history(): Promise<{ role: string; text: string }[]>;
      close(): void;
    }
    /** A page load: the page script in a fresh context sharing the browser's storage. */
    const load = async (): Promise<WebChat> => {
      const context = vm.createContext({
        WebSocket,
        crypto,
        URLSearchParams,
        console,
        localStorage: {
          getItem: (key: string) => storage.get(key) ?? null,
          setItem: (key: string, value: string) => storage.set(key, value),
        },
      });
      vm.runInContext(script, context);
      return (
        context.OpenClawWebChat as { connect(options: { url: string; token: string }): Promise<WebChat> }
      ).connect({
        url,
        token: TOKEN,
      });
    };
    const first = await load();
    const final = new Promise<string>((resolve) =>
      first.onEvent((event) => event.type === "final" && resolve(event.text ?? "")),
    );
    await first.send("/status");
    const reply = await final;
    expect(reply).toMatch(/model/i);
    first.close();

    const reloaded = await load();
    try {
      expect(reloaded.sessionKey).toBe(first.sessionKey);
      expect(await reloaded.history()).toEqual([
        { role: "user", text: "/status" },
        { role: "assistant", text: reply },
      ]);
    } finally {
      reloaded.close();
    }
  });
});

describe("image attachments", () => {
  it("chat.send with an image: the model's request carries it as an image part; history keeps it without the data", async () => {
    fake.enqueue(openaiChatReply({ text: ["A single pixel."] }));
    const sessionKey = "agent:main:webchat-image";
    const final = finalOf("img-send-1");
    await client.request("chat.send", {
      sessionKey,
      message: "what is this?",
      attachments: [
        { type: "image", mimeType: "image/png", fileName: "pixel.png", content: PNG.toString("base64") },
      ],
      idempotencyKey: "img-send-1",
    });
    expect((await final).state).toBe("final");
    const body = fake.requests.at(-1)?.body as {
      model: string;
      messages: { role: string; content: unknown }[];
    };
    expect(body.model).toBe("vision");
    expect(body.messages.at(-1)).toEqual({
      role: "user",
      content: [
        { type: "text", text: "what is this?" },
        { type: "image_url", image_url: { url: `data:image/png;base64,${PNG.toString("base64")}` } },
      ],
    });
    const [user] = await history(sessionKey);
    expect(user?.content).toEqual([
      { type: "text", text: "what is this?" },
      { type: "image", mimeType: "image/png", data: "", omitted: true, bytes: PNG.length },
    ]);
  });

  it("refuses a too-large attachment, a non-image and a URL with clear errors, before anything runs", async () => {
    const requestsBefore = fake.requests.length;
    const big = Buffer.alloc(20 * 1024, 1);
    big.set(PNG.subarray(0, 8));
    const refusal = (attachment: Record<string, unknown>) =>
      client
        .request("chat.send", {
          sessionKey: "agent:main:webchat-refused",
          message: "look",
          attachments: [attachment],
          idempotencyKey: `refused-${Math.random()}`,
        })
        .then(
          () => undefined,
          (error: { code?: string; message?: string }) => error,
        );
    const tooLarge = await refusal({
      mimeType: "image/png",
      fileName: "big.png",
      content: big.toString("base64"),
    });
    expect(tooLarge?.code).toBe("INVALID_REQUEST");
    expect(tooLarge?.message).toBe(
      "big.png is 20 KB; attachments are limited to 16 KB each (agents.defaults.mediaMaxMb)",
    );
    const pdf = await refusal({ mimeType: "application/pdf", fileName: "doc.pdf", content: "JVBERi0=" });
    expect(pdf?.message).toMatch(/doc\.pdf: application\/pdf cannot be attached; only images/);
    const byUrl = await refusal({ fileName: "remote.png", url: "https://example.com/remote.png" });
    expect(byUrl?.message).toMatch(/attachments by URL are not supported/);
    expect(fake.requests.length).toBe(requestsBefore);
    expect(await history("agent:main:webchat-refused")).toEqual([]);
  });

  it("openclaw agent --attach <image> sends it; a model without image input gets a clear error", async () => {
    const photo = join(home, "photo.png");
    await writeFile(photo, PNG);
    fake.enqueue(openaiChatReply({ text: ["I see a pixel."] }));
    const result = await agent(
      "--message",
      "describe",
      "--attach",
      photo,
      "--session-key",
      "agent:main:cli-image",
    );
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("I see a pixel.\n");
    expect(JSON.stringify(fake.requests.at(-1)?.body.messages)).toContain(
      `data:image/png;base64,${PNG.toString("base64")}`,
    );

    const requestsBefore = fake.requests.length;
    const refused = await agent(
      "--message",
      "describe",
      "--attach",
      photo,
      "--model",
      "fake/textonly",
      "--session-key",
      "agent:main:cli-textonly",
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/fake\/textonly does not accept images/);
    expect(fake.requests.length).toBe(requestsBefore);
    // the text is kept, the image is not: the next turn is not poisoned
    fake.enqueue(openaiChatReply({ text: ["Text only, fine."] }));
    const next = await agent(
      "--message",
      "ok, text",
      "--model",
      "fake/textonly",
      "--session-key",
      "agent:main:cli-textonly",
    );
    expect(next.stdout).toBe("Text only, fine.\n");
    const sent = JSON.stringify(fake.requests.at(-1)?.body.messages);
    expect(sent).toContain("describe");
    expect(sent).not.toContain("image_url");
  });

  it("--attach refuses a binary that is neither text nor an image", async () => {
    const blob = join(home, "blob.bin");
    await writeFile(blob, Buffer.from([1, 2, 0, 3]));
    const refused = await agent("--message", "look", "--attach", blob);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/neither a text file nor an image/);
  });
});
