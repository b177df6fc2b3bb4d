import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { addAllowlistEntry, effectivePolicy, readApprovalsFile } from "./approvals-file.js";
import { analyzeShellCommand, decideExec, type ExecPolicy, globMatches } from "./exec-policy.js";
import { whichSync } from "./run.js";

const policy = (overrides: Partial<ExecPolicy> = {}): ExecPolicy => ({
  security: "allowlist",
  ask: "off",
  askFallback: "deny",
  allowlist: [],
  safeBins: ["head", "wc"],
  ...overrides,
});
const resolve = (program: string) => whichSync(program);
const echo = whichSync("echo")!;

describe("shell analysis (allowlist mode)", () => {
  it("splits chains and pipelines outside quotes", () => {
    const analysis = analyzeShellCommand(`echo "a; b" && ls -la | wc -l; echo 'x|y'`);
    expect(analysis.ok && analysis.segments.map((segment) => segment.argv)).toEqual([
      ["echo", "a; b"],
      ["ls", "-la"],
      ["wc", "-l"],
      ["echo", "x|y"],
    ]);
  });

  it.each([
    ["echo $(id)", /substitution/],
    ["echo `id`", /backticks/],
    ["echo $HOME", /expansion/],
    ['echo "${IFS}"', /expansion/],
    ["echo hi > /etc/passwd", /redirection/],
    ["echo hi 2>&1", /redirection/],
    ["cat < /etc/shadow", /redirection/],
    ["(echo hi)", /subshells/],
    ["LD_PRELOAD=/tmp/x.so echo hi", /assignments/],
    ["echo 'unterminated", /unterminated/],
  ])("refuses %s", (command, reason) => {
    const analysis = analyzeShellCommand(command);
    expect(analysis.ok).toBe(false);
    if (!analysis.ok) expect(analysis.reason).toMatch(reason);
  });

  it("keeps $ literal inside single quotes", () => {
    expect(analyzeShellCommand("echo '$(id)'")).toMatchObject({ ok: true });
  });
});

describe("decision", () => {
  it("allows a chain only when every segment is allowlisted", () => {
    const allow = policy({ allowlist: [echo] });
    expect(decideExec(analyzeShellCommand("echo a && echo b"), allow, resolve).decision).toBe("allow");
    const chained = decideExec(analyzeShellCommand("echo a && id"), allow, resolve);
    expect(chained).toMatchObject({ decision: "deny", code: "allowlist-miss" });
  });

  it("matches case-insensitive globs over resolved paths", () => {
    expect(globMatches("/usr/*/ECHO", "/usr/bin/echo")).toBe(true);
    expect(globMatches("/usr/*", "/usr/bin/echo")).toBe(false);
    expect(globMatches("/usr/**", "/usr/bin/echo")).toBe(true);
    expect(globMatches("~/bin/*", "/home/me/bin/tool", "/home/me")).toBe(true);
  });

  it("smuggling through an allowlisted binary asks or denies, never allows", () => {
    const allow = policy({ allowlist: [echo] });
    for (const command of ["echo $(id)", "echo hi > /tmp/x", "echo `id`"]) {
      expect(decideExec(analyzeShellCommand(command), allow, resolve).decision).toBe("deny");
      expect(decideExec(analyzeShellCommand(command), { ...allow, ask: "on-miss" }, resolve).decision).toBe(
        "ask",
      );
    }
  });

  it("safeBins pass without entries unless they name a file", () => {
    expect(decideExec(analyzeShellCommand("head -n 1"), policy(), resolve).decision).toBe("allow");
    expect(decideExec(analyzeShellCommand("head -n 1 /etc/passwd"), policy(), resolve).decision).toBe("deny");
  });

  it("security deny refuses all; ask=always asks even on a hit; full allows", () => {
    expect(decideExec(analyzeShellCommand("echo hi"), policy({ security: "deny" }), resolve)).toMatchObject({
      decision: "deny",
      code: "security",
    });
    expect(
      decideExec(analyzeShellCommand("echo hi"), policy({ allowlist: [echo], ask: "always" }), resolve)
        .decision,
    ).toBe("ask");
    expect(
      decideExec(analyzeShellCommand("id; echo $(id)"), policy({ security: "full" }), resolve).decision,
    ).toBe("allow");
  });
});

describe("exec-approvals.json", () => {
  it("an invalid file denies everything and says why", () => {
    const dir = mkdtempSync(join(tmpdir(), "oc-approvals-"));
    const path = join(dir, "exec-approvals.json");
    writeFileSync(path, JSON.stringify({ version: 1, defaults: { security: "sometimes" } }));
    const snapshot = readApprovalsFile(path);
    expect(snapshot.invalid).toMatch(/defaults\.security must be deny, allowlist or full/);
    expect(effectivePolicy(snapshot, "main", { security: "full" })).toMatchObject({
      security: "deny",
      allowlist: [],
    });
    writeFileSync(path, "{ not json");
    expect(readApprovalsFile(path).invalid).toMatch(/not valid JSON/);
  });

  it("the stricter of the caller's policy and the file applies", () => {
    const dir = mkdtempSync(join(tmpdir(), "oc-approvals-"));
    const path = join(dir, "exec-approvals.json");
    writeFileSync(path, JSON.stringify({ version: 1, defaults: { security: "full", ask: "off" } }));
    const snapshot = readApprovalsFile(path);
    expect(effectivePolicy(snapshot, "main", { security: "allowlist", ask: "on-miss" })).toMatchObject({
      security: "allowlist",
      ask: "on-miss",
    });
    expect(effectivePolicy(snapshot, "main", {})).toMatchObject({
      security: "full",
      ask: "off",
      askFallback: "deny",
    });
  });

  it("allow-always entries persist in OpenClaw's shape, 0600", () => {
    const dir = mkdtempSync(join(tmpdir(), "oc-approvals-"));
    const path = join(dir, "exec-approvals.json");
    addAllowlistEntry(path, "main", echo, { command: "echo hi", resolvedPath: echo });
    const file = JSON.parse(readFileSync(path, "utf8"));
    expect(file).toMatchObject({
      version: 1,
      agents: {
        main: { allowlist: [{ pattern: echo, lastUsedCommand: "echo hi", lastResolvedPath: echo }] },
      },
    });
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });
});
