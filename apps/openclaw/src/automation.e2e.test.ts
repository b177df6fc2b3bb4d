import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { FakeTelegramServer, openaiChatReply, startFakeOpenAI } from "@openclaw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Assembled, assembleGateway } from "./gateway-assembly.js";

// A running gateway (the real assembly: core's assistant on the fake OpenAI server, Telegram on
// its fake Bot API) driven by the real `openclaw` CLI in a child process.
const TOKEN = "automation-token-0123456789";
const HOOK_TOKEN = "automation-hook-token-0123";
const CHAT = "7012345678";
const cli = path.join(import.meta.dirname, "cli.ts");
const tsx = createRequire(path.join(import.meta.dirname, "../../../package.json")).resolve("tsx");

let home: string;
let assembled: Assembled;
let telegram: FakeTelegramServer;
let openai: Awaited<ReturnType<typeof startFakeOpenAI>>;
let url: string;

function openclaw(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = {
    PATH: process.env.PATH,
    HOME: home,
    OPENCLAW_STATE_DIR: path.join(home, "state"),
    NO_COLOR: "1",
  };
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--conditions=@openclaw/source", "--import", tsx, cli, ...args, "--url", url, "--token", TOKEN],
      { env, timeout: 30_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  home = await mkdtemp(path.join(tmpdir(), "openclaw-automation-"));
  const stateDir = path.join(home, "state");
  await mkdir(stateDir, { recursive: true });
  telegram = await new FakeTelegramServer().start();
  openai = await startFakeOpenAI();
  const config = {
    gateway: { auth: { token: TOKEN } },
    hooks: {
      enabled: true,
      token: HOOK_TOKEN,
      mappings: [
        {
          match: { path: "github" },
          action: "agent",
          messageTemplate: "PR {{number}}: {{title}}",
          channel: "telegram",
          to: CHAT,
        },
      ],
    },
    models: {
      providers: {
        openai: {
          baseUrl: openai.baseURL,
          api: "openai-completions",
          models: [{ id: "gpt-test", name: "gpt-test" }],
        },
      },
    },
    agents: { defaults: { model: "openai/gpt-test", heartbeat: { every: "0" } } },
    channels: {
      telegram: { botToken: telegram.token, apiRoot: telegram.url, pollTimeoutSeconds: 1, throttle: false },
    },
  };
  await writeFile(path.join(stateDir, "openclaw.json"), JSON.stringify(config));
  assembled = await assembleGateway({
    env: {
      PATH: process.env.PATH ?? "",
      HOME: home,
      OPENCLAW_STATE_DIR: stateDir,
      OPENAI_API_KEY: "sk-test",
    },
    port: 0,
    console: false,
  });
  url = (await assembled.gateway.listen()).url;
  await assembled.start();
}, 30_000);

afterAll(async () => {
  await assembled?.gateway.close();
  await assembled?.close();
  await telegram?.close();
  await openai?.close();
  await rm(home, { recursive: true, force: true });
});

describe("openclaw cron against a running gateway", () => {
  it("`cron add --at +2s --message … --deliver --channel telegram --to …` delivers exactly one message", async () => {
    openai.enqueue(openaiChatReply({ text: ["Stand-up starts in 5 minutes."] }));
    const added = await openclaw(
      "cron",
      "add",
      "--name",
      "standup",
      "--at",
      "+2s",
      "--message",
      "Remind me of the stand-up",
      "--deliver",
      "--channel",
      "telegram",
      "--to",
      CHAT,
      "--json",
    );
    expect(added.stderr).toBe("");
    expect(added.code).toBe(0);
    const job = JSON.parse(added.stdout) as { id: string; schedule: { kind: string } };
    expect(job.schedule.kind).toBe("at");
    const [message] = await telegram.waitForSent(1);
    expect(message).toMatchObject({
      method: "sendMessage",
      chatId: CHAT,
      text: "Stand-up starts in 5 minutes.",
    });
    const runs = await openclaw("cron", "tourne", "--id", job.id, "--limit", "20");
    expect(runs.code).toBe(0);
    expect(runs.stdout).toMatch(/ ok .*delivery=delivered/);
    expect(telegram.sent.filter((sent) => sent.method === "sendMessage")).toHaveLength(1);
    expect(openai.requests).toHaveLength(1);
    expect(JSON.stringify(openai.requests[0]!.body.messages.at(-1))).toContain(
      `[cron:${job.id} standup] Remind me`,
    );
  }, 20_000);

  it("status and list show the scheduler and the finished one-shot job; bad input is refused", async () => {
    const status = await openclaw("cron", "status");
    expect(status.stdout).toMatch(/^Cron: enabled\nJobs: 1\n/);
    const list = await openclaw("cron", "list", "--all");
    expect(list.stdout).toMatch(/standup\s+at \S+\s+disabled\s+ok/);
    const fax = await openclaw(
      "cron",
      "add",
      "--name",
      "x",
      "--every",
      "1h",
      "--message",
      "hi",
      "--deliver",
      "--channel",
      "fax",
      "--to",
      "1",
    );
    expect(fax.code).toBe(1);
    expect(fax.stderr).toMatch(/cron.add failed: unknown channel "fax" \(configured: telegram; or "last"\)/);
    const badCron = await openclaw(
      "cron",
      "add",
      "--name",
      "x",
      "--cron",
      "0 25 * * *",
      "--system-event",
      "hi",
    );
    expect(badCron.code).toBe(2);
    expect(badCron.stderr).toMatch(/invalid cron expression "0 25 \* \* \*"/);
    const badZone = await openclaw(
      "cron",
      "add",
      "--name",
      "x",
      "--cron",
      "0 9 * * *",
      "--tz",
      "Europe/Atlantis",
      "--system-event",
      "hi",
    );
    expect(badZone.code).toBe(2);
    expect(badZone.stderr).toMatch(/invalid timezone "Europe\/Atlantis"/);
  }, 20_000);

  it("a mapped webhook runs its agent turn once and delivers its reply once, even when retried", async () => {
    openai.enqueue(openaiChatReply({ text: ["Reviewed: looks good."] }));
    const before = openai.requests.length;
    const sentBefore = telegram.sent.length;
    const post = () =>
      fetch(`${assembled.gateway.address!.httpUrl.replace(/\/$/, "")}/hooks/github`, {
        method: "POST",
        headers: { authorization: `Bearer ${HOOK_TOKEN}`, "idempotency-key": "delivery-1" },
        body: JSON.stringify({ number: 12, title: "Fix the scheduler" }),
      });
    const first = await post();
    expect(first.status).toBe(202);
    const second = await post();
    expect(second.status).toBe(202);
    expect(await second.json()).toMatchObject({ ok: true, replayed: true });
    await openai.waitForRequest(before);
    expect(JSON.stringify(openai.requests[before]!.body.messages.at(-1))).toContain(
      "PR 12: Fix the scheduler",
    );
    const unmapped = await fetch(`${assembled.gateway.address!.httpUrl.replace(/\/$/, "")}/hooks/nothing`, {
      method: "POST",
      headers: { authorization: `Bearer ${HOOK_TOKEN}` },
      body: "{}",
    });
    expect(unmapped.status).toBe(404);
    const delivered = await telegram.waitForSent(sentBefore + 1);
    expect(delivered.slice(sentBefore)).toEqual([
      expect.objectContaining({ method: "sendMessage", chatId: CHAT, text: "Reviewed: looks good." }),
    ]);
    expect(openai.requests.length).toBe(before + 1);
  }, 20_000);
});
