import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import {
  handshake,
  type Started,
  startGateway,
  TOKEN,
} from "../../../../packages/gateway/src/__tests__/helpers.js";
import { isGatewayLine } from "./logs-impl.js";

// Debugging as the runbook says: OPENCLAW_LOG_LEVEL / logging.level take effect, connect and
// disconnect lines exist, and `openclaw logs` shows only the gateway's own lines.
let gw: Started | undefined;
afterEach(async () => {
  await gw?.stop();
  gw = undefined;
});

async function oneClient(started: Started): Promise<void> {
  const { peer, res } = await handshake(started.address.url, {});
  expect(res.ok).toBe(true);
  await peer.request("health");
  peer.close();
  await peer.closed;
}

/** The log file's entries, once a line matching `until` has been written. */
async function entries(file: string, until: RegExp): Promise<Record<string, unknown>[]> {
  await expect.poll(() => until.test(readFileSync(file, "utf8")), { timeout: 10_000 }).toBe(true);
  return readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line));
}

describe("gateway log lines", () => {
  it("OPENCLAW_LOG_LEVEL=debug adds request lines; connect and disconnect are logged", async () => {
    gw = await startGateway(undefined, { env: { ...process.env, OPENCLAW_LOG_LEVEL: "DEBUG" } });
    await oneClient(gw);
    const lines = await entries(gw.logFile, /client disconnected/);
    expect(lines.some((line) => line.msg === "request" && line.method === "health")).toBe(true);
    expect(lines.find((line) => line.msg === "client connected")).toMatchObject({ event: "connection" });
    expect(lines.find((line) => line.msg === "client disconnected")).toMatchObject({ event: "disconnect" });
  });

  it("logging.level: debug takes effect; the default level has no request lines", async () => {
    gw = await startGateway({
      gateway: { auth: { mode: "token", token: TOKEN } },
      logging: { level: "debug" },
    });
    await oneClient(gw);
    const debug = await entries(gw.logFile, /client disconnected/);
    expect(debug.some((line) => line.msg === "request")).toBe(true);
    await gw.stop();
    gw = await startGateway();
    await oneClient(gw);
    const lines = await entries(gw.logFile, /client disconnected/);
    expect(lines.some((line) => line.msg === "request")).toBe(false);
  });
});

describe("logging.verboseModels", () => {
  it("logs each run's model-side steps", async () => {
    gw = await startGateway({
      gateway: { auth: { mode: "token", token: TOKEN } },
      logging: { verboseModels: true },
    });
    const { peer, res } = await handshake(gw.address.url, {});
    expect(res.ok).toBe(true);
    await peer.request("chat.send", { sessionKey: "main", message: "hi", idempotencyKey: "verbose-1" });
    const lines = await entries(gw.logFile, /agent run step/);
    expect(lines.find((line) => line.msg === "agent run step")).toMatchObject({
      event: "model",
      runId: expect.any(String),
    });
    peer.close();
  });
});

describe("openclaw logs", () => {
  it("keeps the gateway's lines and drops other programs' lines from the shared day file", () => {
    const ours = JSON.stringify({ level: 30, time: 1_796_532_392_132, pid: 4107, msg: "gateway stopped" });
    // a line the real OpenClaw (tslog) writes to the same /tmp/openclaw/openclaw-<day>.log
    const theirs = JSON.stringify({
      0: "Reply 5: I saw 9 messages.",
      _meta: { runtime: "node", logLevelName: "INFO" },
    });
    expect(isGatewayLine(ours)).toBe(true);
    expect(isGatewayLine(theirs)).toBe(false);
    expect(isGatewayLine("plain text from another program")).toBe(false);
  });
});
