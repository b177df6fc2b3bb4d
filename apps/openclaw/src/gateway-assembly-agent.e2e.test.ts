import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GatewayClient } from "@openclaw/client";
import { type FakeOpenAIServer, openaiChatReply, startFakeOpenAI } from "@openclaw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Assembled, assembleGateway } from "./gateway-assembly.js";

// Issue 6's end-to-end: the real assembly (core's config store, core's assistant, the OpenAI
// provider package) on 127.0.0.1:0, a provider pointed at the fake OpenAI server, a message sent
// with chat.send through @openclaw/client. The model asks for the `read` tool, then answers.
const TOKEN = "agent-e2e-token-0123456789";

let home: string;
let stateDir: string;
let workspace: string;
let fake: FakeOpenAIServer;
let assembled: Assembled;
let client: GatewayClient;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "openclaw-agent-e2e-"));
  stateDir = join(home, "state");
  workspace = join(home, "workspace");
  await mkdir(stateDir, { recursive: true });
  await mkdir(workspace, { recursive: true });
  await writeFile(join(workspace, "groceries.md"), "- oat milk\n- lemons\n");
  fake = await startFakeOpenAI();
  await writeFile(
    join(stateDir, "openclaw.json"),
    JSON.stringify({
      gateway: { auth: { token: TOKEN } },
      agents: { defaults: { workspace, model: "fake/gpt-test" } },
      models: {
        providers: {
          fake: {
            baseUrl: fake.baseURL,
            api: "openai-completions",
            apiKey: "sk-e2e",
            models: [{ id: "gpt-test", name: "gpt-test", contextWindow: 128000 }],
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
  const address = await assembled.gateway.listen();
  client = new GatewayClient({ url: address.url, auth: { token: TOKEN }, reconnect: false });
  await client.connect();
});

afterAll(async () => {
  await client?.close();
  await assembled?.gateway.close();
  await assembled?.close();
  await fake?.close();
  await rm(home, { recursive: true, force: true });
});

interface ChatEvent {
  runId: string;
  sessionKey: string;
  state: string;
  deltaText?: string;
  message?: { content?: { type: string; text?: string }[] };
  errorMessage?: string;
}
interface AgentEvent {
  runId: string;
  stream: string;
  sessionKey?: string;
  data: { phase?: string; name?: string; toolCallId?: string; result?: unknown; isError?: boolean };
}

describe("chat.send on a running gateway with an OpenAI-compatible provider", () => {
  it("streams deltas, runs `read`, ends with final; the transcript on disk has every step", async () => {
    fake.enqueue(
      openaiChatReply({
        toolCalls: [
          {
            id: "call_groceries",
            name: "read",
            arguments: ['{"pa', `th":${JSON.stringify(join(workspace, "groceries.md"))}}`],
          },
        ],
      }),
      openaiChatReply({ text: ["You still need ", "oat milk and lemons."] }),
    );
    const chat: ChatEvent[] = [];
    const agent: AgentEvent[] = [];
    client.on("agent", (payload) => agent.push(payload as AgentEvent));
    const final = new Promise<ChatEvent>((resolve) => {
      client.on("chat", (payload) => {
        const event = payload as ChatEvent;
        chat.push(event);
        if (event.state === "final" || event.state === "error") resolve(event);
      });
    });

    const accepted = (await client.request("chat.send", {
      sessionKey: "main",
      message: "what is left on my grocery list?",
    })) as { runId: string; status: string };
    expect(accepted.status).toBe("started");
    const done = await final;
    expect(done.errorMessage).toBeUndefined();
    expect(done.state).toBe("final");
    expect(done.sessionKey).toBe("agent:main:main");
    expect(done.message?.content?.map((part) => part.text ?? "").join("")).toBe(
      "You still need oat milk and lemons.",
    );

    // deltas reached the client before the final, in order
    const deltas = chat.filter((event) => event.state === "delta").map((event) => event.deltaText);
    expect(deltas).toEqual(["You still need ", "oat milk and lemons."]);
    expect(chat.at(-1)).toBe(done);

    // the read tool ran (agent events on the `tool` stream), on the workspace file
    const tools = agent.filter((event) => event.stream === "tool");
    expect(tools.map((event) => `${event.data.phase}:${event.data.name}`)).toEqual([
      "start:read",
      "result:read",
    ]);
    expect(tools[1]!.data.toolCallId).toBe("call_groceries");
    expect(tools[1]!.data.isError ?? false).toBe(false);
    // and its output went back to the model on the second request
    expect(fake.requests).toHaveLength(2);
    expect(fake.requests[1]!.body.messages.at(-1)).toMatchObject({
      role: "tool",
      tool_call_id: "call_groceries",
    });
    expect(JSON.stringify(fake.requests[1]!.body.messages.at(-1))).toContain("oat milk");

    // the transcript JSONL in OpenClaw's shape
    const listed = (await client.request("sessions.list", {})) as {
      sessions: { key: string; sessionId: string }[];
    };
    const sessionId = listed.sessions.find((row) => row.key === "agent:main:main")?.sessionId;
    expect(sessionId).toBeTruthy();
    const sessionsDir = join(stateDir, "agents", "main", "sessions");
    expect(await readdir(sessionsDir)).toContain(`${sessionId}.jsonl`);
    const lines = (await readFile(join(sessionsDir, `${sessionId}.jsonl`), "utf8"))
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ type: "session", id: sessionId });
    expect(typeof lines[0]!.version).toBe("number");
    expect(typeof lines[0]!.timestamp).toBe("string");

    const entries = lines.slice(1);
    for (const entry of entries) {
      expect(typeof entry.id).toBe("string");
      expect(typeof entry.timestamp).toBe("string");
    }
    // one chain: each entry's parent is the entry before it; the first has none
    expect(entries[0]!.parentId).toBeNull();
    for (let index = 1; index < entries.length; index++)
      expect(entries[index]!.parentId).toBe(entries[index - 1]!.id);

    const messages = entries
      .filter((entry) => entry.type === "message")
      .map((entry) => entry.message as Record<string, unknown>);
    expect(messages.map((message) => message.role)).toEqual(["user", "assistant", "toolResult", "assistant"]);
    expect(messages[0]!.content).toEqual([{ type: "text", text: "what is left on my grocery list?" }]);
    expect(messages[1]).toMatchObject({
      provider: "fake",
      model: "gpt-test",
      stopReason: "toolUse",
      content: [
        {
          type: "toolCall",
          id: "call_groceries",
          name: "read",
          arguments: { path: join(workspace, "groceries.md") },
        },
      ],
    });
    expect(messages[2]).toMatchObject({ toolCallId: "call_groceries", toolName: "read", isError: false });
    expect(JSON.stringify(messages[2]!.content)).toContain("oat milk");
    expect(messages[3]).toMatchObject({
      stopReason: "stop",
      content: [{ type: "text", text: "You still need oat milk and lemons." }],
    });

    // chat.history serves the same conversation
    const history = (await client.request("chat.history", { sessionKey: "main" })) as {
      sessionKey: string;
      messages: { role: string }[];
    };
    expect(history.sessionKey).toBe("agent:main:main");
    expect(history.messages.map((message) => message.role)).toEqual([
      "user",
      "assistant",
      "toolResult",
      "assistant",
    ]);

    // after shutdown, sessions.json points the main key at that transcript
    await client.close();
    await assembled.gateway.close();
    await assembled.close();
    const store = JSON.parse(await readFile(join(sessionsDir, "sessions.json"), "utf8")) as Record<
      string,
      { sessionId: string }
    >;
    expect(store["agent:main:main"]?.sessionId).toBe(sessionId);
  });
});
