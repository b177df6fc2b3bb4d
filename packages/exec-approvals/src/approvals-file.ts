import { createHash, randomUUID } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import {
  DEFAULT_SAFE_BINS,
  type ExecAsk,
  type ExecPolicy,
  type ExecSecurity,
  SECURITY_ORDER,
  stricterAsk,
  stricterSecurity,
} from "./exec-policy.js";

/** One allowlist entry of `exec-approvals.json` (OpenClaw's shape). */
export interface AllowlistEntry {
  id?: string;
  pattern: string;
  lastUsedAt?: number;
  lastUsedCommand?: string;
  lastResolvedPath?: string;
  [key: string]: unknown;
}

interface PolicyFields {
  security?: ExecSecurity;
  ask?: ExecAsk;
  askFallback?: ExecSecurity;
  autoAllowSkills?: boolean;
}

/** `exec-approvals.json` on the execution host. */
export interface ExecApprovalsFile {
  version: 1;
  socket?: { path?: string; token?: string };
  defaults?: PolicyFields & Record<string, unknown>;
  agents?: Record<string, PolicyFields & { allowlist?: AllowlistEntry[] } & Record<string, unknown>>;
  [key: string]: unknown;
}

/** The file as read: valid, missing, or invalid (then every command is denied, with the reason). */
export type ApprovalsSnapshot = {
  path: string;
  exists: boolean;
  hash: string;
  file: ExecApprovalsFile;
  /** Set when the file could not be used: exec is denied and this says why. */
  invalid?: string;
};

const ASKS: readonly string[] = ["off", "on-miss", "always"];

/** Why `value` is not a usable exec-approvals file, or undefined when it is. */
export function approvalsFileProblem(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "not a JSON object";
  const file = value as Record<string, unknown>;
  if (file.version !== 1) return `version must be 1 (got ${JSON.stringify(file.version)})`;
  const checkPolicy = (where: string, policy: unknown): string | undefined => {
    if (policy === undefined) return undefined;
    if (typeof policy !== "object" || policy === null || Array.isArray(policy))
      return `${where} must be an object`;
    const p = policy as Record<string, unknown>;
    for (const key of ["security", "askFallback"] as const)
      if (p[key] !== undefined && !SECURITY_ORDER.includes(p[key] as ExecSecurity))
        return `${where}.${key} must be deny, allowlist or full (got ${JSON.stringify(p[key])})`;
    if (p.ask !== undefined && !ASKS.includes(p.ask as string))
      return `${where}.ask must be off, on-miss or always (got ${JSON.stringify(p.ask)})`;
    if (p.allowlist !== undefined) {
      if (!Array.isArray(p.allowlist)) return `${where}.allowlist must be an array`;
      const bad = p.allowlist.findIndex(
        (entry) =>
          typeof entry !== "object" || !entry || typeof (entry as AllowlistEntry).pattern !== "string",
      );
      if (bad >= 0) return `${where}.allowlist[${bad}] needs a string pattern`;
    }
    return undefined;
  };
  const problem = checkPolicy("defaults", file.defaults);
  if (problem) return problem;
  if (file.agents !== undefined) {
    if (typeof file.agents !== "object" || file.agents === null || Array.isArray(file.agents))
      return "agents must be an object";
    for (const [id, policy] of Object.entries(file.agents)) {
      const agentProblem = checkPolicy(`agents.${id}`, policy);
      if (agentProblem) return agentProblem;
    }
  }
  return undefined;
}

export function hashText(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Read `exec-approvals.json`. A missing file is an empty policy; an invalid one denies all. */
export function readApprovalsFile(path: string): ApprovalsSnapshot {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT")
      return { path, exists: false, hash: hashText(""), file: { version: 1 } };
    return {
      path,
      exists: true,
      hash: hashText(""),
      file: { version: 1 },
      invalid: `cannot read ${path}: ${(error as Error).message}`,
    };
  }
  const hash = hashText(text);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return {
      path,
      exists: true,
      hash,
      file: { version: 1 },
      invalid: `${path} is not valid JSON: ${(error as Error).message}`,
    };
  }
  const problem = approvalsFileProblem(parsed);
  if (problem) return { path, exists: true, hash, file: { version: 1 }, invalid: `${path}: ${problem}` };
  return { path, exists: true, hash, file: parsed as ExecApprovalsFile };
}

/** Replace the file (temp + rename, 0600). */
export function writeApprovalsFile(path: string, file: ExecApprovalsFile): ApprovalsSnapshot {
  const problem = approvalsFileProblem(file);
  if (problem) throw new Error(`invalid exec approvals: ${problem}`);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const text = `${JSON.stringify(file, null, 2)}\n`;
  const temp = join(dirname(path), `.exec-approvals.${process.pid}.${randomUUID()}.tmp`);
  writeFileSync(temp, text, { mode: 0o600 });
  renameSync(temp, path);
  chmodSync(path, 0o600);
  return { path, exists: true, hash: hashText(text), file };
}

/** Hints from the caller (the gateway's `tools.exec.*`): the effective policy is the stricter. */
export interface PolicyHints {
  security?: ExecSecurity;
  ask?: ExecAsk;
  askFallback?: ExecSecurity;
  safeBins?: string[];
}

/**
 * The policy for `agentId`: the host file's defaults, the agent's own section over them, then the
 * stricter of that and the caller's hints. A file that exists without a `security` is allowlist;
 * no file at all leaves the caller's policy (default allowlist + on-miss). Invalid file: deny.
 */
export function effectivePolicy(
  snapshot: ApprovalsSnapshot,
  agentId: string,
  hints: PolicyHints = {},
): ExecPolicy {
  const agent = snapshot.file.agents?.[agentId] ?? {};
  const star = snapshot.file.agents?.["*"] ?? {};
  const defaults = snapshot.file.defaults ?? {};
  const allowlist = [...(agent.allowlist ?? []), ...(agentId === "*" ? [] : (star.allowlist ?? []))].map(
    (entry) => entry.pattern,
  );
  if (snapshot.invalid)
    return { security: "deny", ask: "off", askFallback: "deny", allowlist: [], safeBins: [] };
  const fileSecurity = agent.security ?? defaults.security;
  const fileAsk = agent.ask ?? defaults.ask;
  const fileFallback = agent.askFallback ?? defaults.askFallback;
  const security = stricterSecurity(fileSecurity ?? hints.security ?? "allowlist", hints.security);
  const ask = stricterAsk(fileAsk ?? hints.ask ?? "on-miss", hints.ask);
  const askFallback = stricterSecurity(fileFallback ?? "deny", hints.askFallback);
  return { security, ask, askFallback, allowlist, safeBins: hints.safeBins ?? DEFAULT_SAFE_BINS };
}

/** Add (or refresh) an allowlist entry for `agentId` and write the file. */
export function addAllowlistEntry(
  path: string,
  agentId: string,
  pattern: string,
  used?: { command?: string; resolvedPath?: string },
): ApprovalsSnapshot {
  const snapshot = readApprovalsFile(path);
  if (snapshot.invalid) throw new Error(snapshot.invalid);
  const file = structuredClone(snapshot.file);
  file.agents ??= {};
  file.agents[agentId] ??= {};
  const agent = file.agents[agentId];
  agent.allowlist ??= [];
  let entry = agent.allowlist.find((candidate) => candidate.pattern.toLowerCase() === pattern.toLowerCase());
  if (!entry) {
    entry = { id: randomUUID(), pattern };
    agent.allowlist.push(entry);
  }
  if (used) {
    entry.lastUsedAt = Date.now();
    if (used.command) entry.lastUsedCommand = used.command;
    if (used.resolvedPath) entry.lastResolvedPath = used.resolvedPath;
  }
  return writeApprovalsFile(path, file);
}

/** Remove the allowlist entries of `agentId` whose pattern (or id) is `pattern`. */
export function removeAllowlistEntry(
  path: string,
  agentId: string,
  pattern: string,
): { snapshot: ApprovalsSnapshot; removed: number } {
  const snapshot = readApprovalsFile(path);
  if (snapshot.invalid) throw new Error(snapshot.invalid);
  const file = structuredClone(snapshot.file);
  const list = file.agents?.[agentId]?.allowlist ?? [];
  const kept = list.filter(
    (entry) => entry.pattern.toLowerCase() !== pattern.toLowerCase() && entry.id !== pattern,
  );
  if (kept.length === list.length) return { snapshot, removed: 0 };
  file.agents![agentId]!.allowlist = kept;
  return { snapshot: writeApprovalsFile(path, file), removed: list.length - kept.length };
}
