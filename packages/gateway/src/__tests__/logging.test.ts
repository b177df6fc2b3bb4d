import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createGatewayLogger, defaultLogFile, prettyLine, tailLogFile } from "../logging.js";

describe("logging", () => {
  it("writes JSON lines with secrets redacted", async () => {
    const dir = await mkdtemp(join(tmpdir(), "openclaw-log-"));
    const file = join(dir, "nested", "gateway.log");
    const { logger } = createGatewayLogger({ file });
    logger.info(
      {
        auth: { token: "s3cret-token" },
        password: "hunter2",
        headers: { authorization: "Bearer abc" },
        user: "me",
      },
      "connect",
    );
    const lines = (await readFile(file, "utf8")).trim().split("\n");
    const entry = JSON.parse(lines.at(-1)!);
    expect(entry.msg).toBe("connect");
    expect(entry.user).toBe("me");
    expect(lines.join("")).not.toMatch(/s3cret-token|hunter2|Bearer abc/);
    expect(entry.auth.token).toBe("[redacted]");
    await rm(dir, { recursive: true, force: true });
  });

  it("defaults to /tmp/openclaw/openclaw-YYYY-MM-DD.log", () => {
    expect(defaultLogFile(new Date(2026, 10, 21))).toBe("/tmp/openclaw/openclaw-2026-11-21.log");
  });

  it("renders a line for humans on a TTY", () => {
    const line = prettyLine(
      JSON.stringify({ level: 40, time: Date.UTC(2026, 0, 1), msg: "careful", port: 1 }),
      false,
    );
    expect(line).toMatch(/^\d\d:\d\d:\d\d warn {2}careful port=1\n$/);
  });

  it("tails a missing file as empty", () => {
    expect(tailLogFile("/nonexistent/openclaw.log")).toEqual({
      file: "/nonexistent/openclaw.log",
      cursor: 0,
      size: 0,
      lines: [],
    });
  });
});
