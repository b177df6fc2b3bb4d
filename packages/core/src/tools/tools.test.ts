import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkExecSecurity, execTool, processTool } from "./exec-tools.js";
import { editTool, readTool, writeTool } from "./fs-tools.js";
import { memoryGetTool, memorySearchTool } from "./memory-tools.js";
import { isToolAllowed } from "./policy.js";
import { ProcessRegistry } from "./process-registry.js";
import { type ToolContext, ToolError, type ToolsRuntimeConfig } from "./types.js";
import { htmlToText, isPrivateAddress, webFetchTool } from "./web-fetch.js";

let dir: string;
let processes: ProcessRegistry;
let server: Server | undefined;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "openclaw-tools-"));
  processes = new ProcessRegistry();
});
afterEach(async () => {
  await processes.killAll();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
  await rm(dir, { recursive: true, force: true });
});

function context(toolsConfig: ToolsRuntimeConfig = {}): ToolContext {
  return {
    agentId: "main",
    sessionKey: "agent:main:main",
    workspaceDir: dir,
    signal: new AbortController().signal,
    toolsConfig,
    fetch,
    processes,
    outputCap: 10_000,
    now: Date.now,
  };
}

describe("fs tools", () => {
  it("write, read with offset/limit, edit exact match", async () => {
    await writeTool.execute({ path: "a/b.txt", content: "one\ntwo\nthree\n" }, context());
    expect((await readTool.execute({ path: "a/b.txt", offset: 2, limit: 1 }, context())).content).toBe(
      "two\n[2 more lines; continue with offset=3]",
    );
    await editTool.execute({ path: "a/b.txt", oldText: "two", newText: "2" }, context());
    expect(await readFile(path.join(dir, "a/b.txt"), "utf8")).toBe("one\n2\nthree\n");
  });

  it("edit refuses a missing or ambiguous match with a clear error", async () => {
    await writeFile(path.join(dir, "f.txt"), "x x");
    await expect(editTool.execute({ path: "f.txt", oldText: "y", newText: "z" }, context())).rejects.toThrow(
      /not found in f.txt/,
    );
    await expect(editTool.execute({ path: "f.txt", oldText: "x", newText: "z" }, context())).rejects.toThrow(
      /occurs 2 times/,
    );
    await expect(readTool.execute({ path: "missing.txt" }, context())).rejects.toBeInstanceOf(ToolError);
  });
});

describe("exec", () => {
  it("security: deny, empty allowlist (clear message), allowlist, full", () => {
    expect(checkExecSecurity("ls", { security: "deny" })).toMatchObject({
      allowed: false,
      reason: expect.stringContaining("disabled"),
    });
    expect(checkExecSecurity("ls", {})).toMatchObject({
      allowed: false,
      reason: expect.stringContaining("allowlist is empty"),
    });
    expect(checkExecSecurity("ls -la | grep x", { safeBins: ["ls", "grep"] })).toEqual({ allowed: true });
    expect(checkExecSecurity("ls && rm -rf /", { safeBins: ["ls"] })).toMatchObject({
      allowed: false,
      reason: expect.stringContaining('"rm" is not in'),
    });
    expect(checkExecSecurity("echo $(whoami)", { safeBins: ["echo"] })).toMatchObject({ allowed: false });
    expect(checkExecSecurity("anything at all", { security: "full" })).toEqual({ allowed: true });
  });

  it("runs a command and reports the exit code; the default policy refuses", async () => {
    const result = await execTool.execute(
      { command: "echo hello; exit 3" },
      context({ exec: { security: "full" } }),
    );
    expect(result.content).toBe("hello\n[exit code 3]");
    expect(result.isError).toBe(true);
    await expect(execTool.execute({ command: "echo hi" }, context())).rejects.toThrow(/allowlist is empty/);
  });

  it("backgrounds long commands; process polls and kills them", async () => {
    const ctx = context({ exec: { security: "full" } });
    const started = await execTool.execute({ command: "echo started; sleep 30", yieldMs: 200 }, ctx);
    expect(started.content).toMatch(/moved to background as proc-1/);
    expect((await processTool.execute({ action: "list" }, ctx)).content).toMatch(/proc-1 running/);
    const killed = await processTool.execute({ action: "kill", id: "proc-1" }, ctx);
    expect(killed.content).toBe("Killed proc-1");
    expect((await processTool.execute({ action: "poll", id: "proc-1" }, ctx)).content).toMatch(/\[killed/);
    await expect(processTool.execute({ action: "poll", id: "nope" }, ctx)).rejects.toThrow(
      /No process with id nope/,
    );
  });

  it("process write feeds a real background process's stdin; eof closes it", async () => {
    const ctx = context({ exec: { security: "full" } });
    await execTool.execute(
      { command: 'while read line; do echo "got:$line"; done; echo "stdin closed"', background: true },
      ctx,
    );
    const session = processes.get("proc-1")!;
    const seen = (text: string) =>
      new Promise<void>((resolve) => {
        if (session.output.includes(text)) return resolve();
        const onData = () => {
          if (session.output.includes(text)) {
            session.child?.stdout?.off("data", onData);
            resolve();
          }
        };
        session.child?.stdout?.on("data", onData);
      });
    const wrote = await processTool.execute({ action: "write", id: "proc-1", data: "hello\n" }, ctx);
    expect(wrote.content).toBe("Wrote 6 bytes to proc-1");
    await seen("got:hello");
    expect((await processTool.execute({ action: "poll", id: "proc-1" }, ctx)).content).toMatch(
      /^got:hello\n\n?\[running\]$/,
    );
    await processTool.execute({ action: "write", id: "proc-1", data: "second\n", eof: true }, ctx);
    await session.done;
    const poll = await processTool.execute({ action: "poll", id: "proc-1" }, ctx);
    expect(poll.content).toContain("got:second\nstdin closed");
    expect(poll.content).toContain("[exited, exit 0]");
    // writing to a finished process is a clear error, not a crash
    await expect(processTool.execute({ action: "write", id: "proc-1", data: "x" }, ctx)).rejects.toThrow(
      /proc-1 is not running \(exited\)/,
    );
    await expect(processTool.execute({ action: "write", id: "proc-1" }, ctx)).rejects.toThrow(/needs data/);
  });

  it("process write refuses a foreground command's closed stdin; clear forgets finished sessions", async () => {
    const ctx = context({ exec: { security: "full" } });
    await execTool.execute({ command: "sleep 30", yieldMs: 50 }, ctx); // proc-1, yielded, stdin not open
    await expect(
      processTool.execute({ action: "write", id: "proc-1", data: "x\n" }, ctx),
    ).rejects.toMatchObject({ code: "stdin_closed" });
    await execTool.execute({ command: "echo done" }, ctx); // proc-2, finished
    await execTool.execute({ command: "echo also" }, ctx); // proc-3, finished
    // a running session cannot be cleared
    await expect(processTool.execute({ action: "clear", id: "proc-1" }, ctx)).rejects.toThrow(
      /still running; kill it first/,
    );
    expect((await processTool.execute({ action: "clear", id: "proc-2" }, ctx)).content).toBe(
      "Cleared proc-2",
    );
    await expect(processTool.execute({ action: "poll", id: "proc-2" }, ctx)).rejects.toThrow(
      /No process with id proc-2/,
    );
    // without an id: every finished session goes, running ones stay
    expect((await processTool.execute({ action: "clear" }, ctx)).content).toBe("Cleared proc-3");
    expect((await processTool.execute({ action: "list" }, ctx)).content).toMatch(/^proc-1 running/);
    expect((await processTool.execute({ action: "remove", id: "proc-1" }, ctx)).content).toBe(
      "Removed proc-1",
    );
    expect((await processTool.execute({ action: "list" }, ctx)).content).toBe("No background processes.");
  });

  it("kills a command at its timeout", async () => {
    const result = await execTool.execute(
      { command: "sleep 20", timeout: 0.3 },
      context({ exec: { security: "full" } }),
    );
    expect(result.isError).toBe(true);
    expect(result.content).toMatch(/timeout/);
  });
});

describe("web_fetch", () => {
  async function serve(body: string, type = "text/html") {
    server = createServer((_request, response) => {
      response.writeHead(200, { "content-type": type });
      response.end(body);
    });
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/page`;
  }

  it("blocks loopback/private addresses unless allowed", async () => {
    const url = await serve(
      "<html><title>T</title><body><h1>Hi</h1><p>para &amp; more</p><script>bad()</script></body></html>",
    );
    await expect(webFetchTool.execute({ url }, context())).rejects.toThrow(/private or loopback/);
    const result = await webFetchTool.execute(
      { url },
      context({ web: { fetch: { allowPrivateNetwork: true } } }),
    );
    expect(result.content).toBe("# T\n\n# Hi\n\npara & more");
    expect(isPrivateAddress("10.1.2.3")).toBe(true);
    expect(isPrivateAddress("::ffff:192.168.0.1")).toBe(true);
    expect(isPrivateAddress("93.184.216.34")).toBe(false);
  });

  // redirect hops and every address spelling: tests/security/ssrf-web-fetch.test.ts

  it("caps the size", async () => {
    const url = await serve("y".repeat(5000), "text/plain");
    const result = await webFetchTool.execute(
      { url, maxChars: 100 },
      context({ web: { fetch: { allowPrivateNetwork: true } } }),
    );
    expect(result.content).toBe(`${"y".repeat(100)}\n[truncated at 100 chars]`);
    expect(htmlToText("<ul><li>a</li><li>b</li></ul>").text).toBe("- a\n- b");
  });
});

describe("memory tools", () => {
  it("searches MEMORY.md and memory/*.md by keyword and reads only memory files", async () => {
    await writeFile(
      path.join(dir, "MEMORY.md"),
      "# Memory\n\nThe user's dog is called Biscuit.\n\nPrefers tea over coffee.\n",
    );
    await mkdir(path.join(dir, "memory"));
    await writeFile(path.join(dir, "memory", "2026-11-20.md"), "Walked Biscuit in the park.\n");
    const result = await memorySearchTool.execute({ query: "Biscuit dog" }, context());
    expect(result.content.split("\n")[0]).toMatch(/^MEMORY.md#L3-3/);
    expect(result.content).toContain("memory/2026-11-20.md#L1-1");
    expect((await memoryGetTool.execute({ path: "memory/2026-11-20.md" }, context())).content).toContain(
      "park",
    );
    await expect(memoryGetTool.execute({ path: "../etc/passwd" }, context())).rejects.toThrow(
      /only reads MEMORY.md/,
    );
  });
});

describe("tool policy", () => {
  it("profile → allow/deny (deny wins, groups) → per-agent → per-channel", () => {
    expect(isToolAllowed("exec", {})).toEqual({ allowed: true });
    expect(isToolAllowed("exec", { global: { profile: "messaging" } })).toMatchObject({
      allowed: false,
      reason: expect.stringContaining("messaging"),
    });
    expect(isToolAllowed("read", { global: { profile: "coding" } })).toEqual({ allowed: true });
    expect(isToolAllowed("read", { global: { allow: ["group:fs"], deny: ["read"] } })).toMatchObject({
      allowed: false,
      stage: "tools",
    });
    expect(isToolAllowed("BASH", { global: { deny: ["exec"] } }).allowed).toBe(false);
    expect(isToolAllowed("web_fetch", { global: { allow: ["web_*"] } }).allowed).toBe(true);
    expect(isToolAllowed("write", { agent: { deny: ["group:fs"] } })).toMatchObject({
      allowed: false,
      stage: "agents.list[].tools",
    });
    expect(isToolAllowed("exec", { channel: { allow: ["read"] } })).toMatchObject({
      allowed: false,
      stage: "channel tools",
    });
    expect(
      isToolAllowed("exec", { global: { byProvider: { openai: { deny: ["exec"] } } }, provider: "openai" })
        .allowed,
    ).toBe(false);
  });
});
