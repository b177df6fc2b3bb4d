import { homedir } from "node:os";
import {
  addAllowlistEntry,
  analyzeArgv,
  analyzeShellCommand,
  decideExec,
  type ExecApprovalsFile,
  type ExecDecision,
  effectivePolicy,
  normalizeRun,
  type PolicyHints,
  readApprovalsFile,
  runBindingHash,
  runProcess,
  type SystemRunParams,
  whichSync,
  writeApprovalsFile,
} from "@openclaw/exec-approvals";
import { NodeCommandError, type NodeCommandHandler } from "./errors.js";

/** What the built-in commands need from their host. */
export interface SystemRunHost {
  approvalsPath(): string;
  nodeId(): string;
  log(line: string): void;
  approvalTimeoutMs: number;
  maxOutputBytes?: number | undefined;
  /** A gateway call (approval requests). */
  request(method: string, params: unknown, timeoutMs?: number): Promise<unknown>;
}

function denied(reason: string): NodeCommandError {
  return new NodeCommandError("SYSTEM_RUN_DENIED", `SYSTEM_RUN_DENIED: ${reason}`);
}

function parseRunParams(value: unknown): SystemRunParams {
  const params = (value ?? {}) as SystemRunParams;
  const ok =
    (typeof params.command === "string" && params.command.trim() !== "") ||
    (Array.isArray(params.command) &&
      params.command.length > 0 &&
      params.command.every((a) => typeof a === "string"));
  if (!ok)
    throw new NodeCommandError(
      "INVALID_PARAMS",
      "system.run needs command: a non-empty argv array or a string",
    );
  if (
    params.env !== undefined &&
    (typeof params.env !== "object" || Object.values(params.env).some((v) => typeof v !== "string"))
  )
    throw new NodeCommandError("INVALID_PARAMS", "system.run env must map names to strings");
  return params;
}

/** Ask the gateway's operators; null when nobody decided in time (or the gateway is unreachable). */
async function askApproval(
  host: SystemRunHost,
  params: SystemRunParams,
  argv: string[],
  text: string,
  decision: Extract<ExecDecision, { decision: "ask" }>,
  bindingHash: string,
): Promise<string | null> {
  try {
    const result = (await host.request(
      "exec.approval.request",
      {
        command: text,
        commandArgv: argv,
        cwd: params.cwd ?? null,
        host: "node",
        nodeId: host.nodeId(),
        agentId: params.agentId ?? null,
        sessionKey: params.sessionKey ?? null,
        resolvedPath: decision.segments.find((s) => !s.matchedBy)?.resolvedPath ?? null,
        reason: decision.reason,
        timeoutMs: host.approvalTimeoutMs,
        bindingHash,
      },
      host.approvalTimeoutMs + 10_000,
    )) as { decision?: string | null };
    return result.decision ?? null;
  } catch (error) {
    host.log(`node: approval request failed: ${(error as Error).message}`);
    return null;
  }
}

/** A decision obtained beforehand (`approvalId`): valid only for exactly this argv + cwd + env. */
async function priorApproval(host: SystemRunHost, id: string, bindingHash: string): Promise<string | null> {
  const result = (await host
    .request("exec.approval.waitDecision", { id, timeoutMs: 1, bindingHash })
    .catch(() => undefined)) as { decision?: string | null; bindingHash?: string | null } | undefined;
  if (result?.bindingHash && result.bindingHash !== bindingHash)
    throw denied(`approval ${id} was given for a different command, cwd or environment`);
  if (!result?.decision) throw denied(`approval ${id} is not granted (unknown, pending, used or expired)`);
  return result.decision;
}

async function systemRun(host: SystemRunHost, value: unknown, signal: AbortSignal): Promise<unknown> {
  const params = parseRunParams(value);
  const { argv, shellText } = normalizeRun(params);
  const snapshot = readApprovalsFile(host.approvalsPath());
  if (snapshot.invalid)
    throw denied(`exec approvals file is invalid, every command is denied (${snapshot.invalid})`);
  const agentId = params.agentId ?? "main";
  const hints: PolicyHints = {
    ...(params.security ? { security: params.security } : {}),
    ...(params.ask ? { ask: params.ask } : {}),
    ...(params.askFallback ? { askFallback: params.askFallback } : {}),
  };
  const policy = effectivePolicy(snapshot, agentId, hints);
  const pathEnv = params.env?.PATH ?? process.env.PATH;
  const analysis = shellText !== undefined ? analyzeShellCommand(shellText) : analyzeArgv(argv);
  const verdict = decideExec(
    analysis,
    policy,
    (program) => whichSync(program, { cwd: params.cwd, path: pathEnv }),
    homedir(),
  );
  const text = shellText ?? argv.join(" ");
  const bindingHash = runBindingHash(argv, params.cwd, params.env);
  if (verdict.decision === "deny") throw denied(verdict.reason);
  if (verdict.decision === "ask") {
    const decision = params.approvalId
      ? await priorApproval(host, params.approvalId, bindingHash)
      : await askApproval(host, params, argv, text, verdict, bindingHash);
    if (decision === "deny") throw denied("approval denied by an operator");
    if (decision === null) {
      // nobody decided: askFallback (this was a miss, so only `full` runs it)
      if (policy.askFallback !== "full")
        throw denied(
          `approval required (no decision within ${Math.round(host.approvalTimeoutMs / 1000)} s; askFallback ${policy.askFallback})`,
        );
    }
    if (decision === "allow-always") {
      for (const segment of verdict.segments) {
        if (segment.matchedBy || !segment.resolvedPath) continue;
        addAllowlistEntry(host.approvalsPath(), agentId, segment.resolvedPath, {
          command: text,
          resolvedPath: segment.resolvedPath,
        });
      }
    }
  }
  const timeoutMs = params.commandTimeoutMs ?? params.timeoutMs;
  return runProcess({
    argv,
    ...(params.cwd ? { cwd: params.cwd } : {}),
    ...(params.env ? { env: params.env } : {}),
    ...(timeoutMs ? { timeoutMs } : {}),
    ...(host.maxOutputBytes ? { maxOutputBytes: host.maxOutputBytes } : {}),
    signal,
  });
}

/** The built-in commands of a headless node. */
export function builtinCommands(host: SystemRunHost): Record<string, NodeCommandHandler> {
  return {
    "system.run": (params, context) => systemRun(host, params, context.signal),
    "system.which": async (value) => {
      const params = (value ?? {}) as { bins?: unknown; name?: unknown };
      const bins = Array.isArray(params.bins)
        ? params.bins
        : typeof params.name === "string"
          ? [params.name]
          : undefined;
      if (!bins || !bins.every((bin) => typeof bin === "string"))
        throw new NodeCommandError("INVALID_PARAMS", "system.which needs bins: string[]");
      const found: Record<string, string> = {};
      for (const bin of bins as string[]) {
        const path = whichSync(bin);
        if (path) found[bin] = path;
      }
      return { bins: found };
    },
    "system.notify": async (value, context) => {
      const params = (value ?? {}) as { title?: unknown; body?: unknown };
      const title = typeof params.title === "string" ? params.title : "OpenClaw";
      const body = typeof params.body === "string" ? params.body : "";
      // a headless node has no desktop: the notification is a log line
      context.log(`notify: ${title}${body ? ` — ${body}` : ""}`);
      return { delivered: "log" };
    },
    "system.execApprovals.get": async () => {
      const snapshot = readApprovalsFile(host.approvalsPath());
      return snapshot;
    },
    "system.execApprovals.set": async (value) => {
      const params = (value ?? {}) as { file?: ExecApprovalsFile; baseHash?: string };
      const current = readApprovalsFile(host.approvalsPath());
      if (params.baseHash && params.baseHash !== current.hash)
        throw new NodeCommandError(
          "CONFLICT",
          "exec approvals changed since they were read (baseHash mismatch); read them again",
        );
      try {
        return writeApprovalsFile(host.approvalsPath(), params.file as ExecApprovalsFile);
      } catch (error) {
        throw new NodeCommandError("INVALID_PARAMS", (error as Error).message);
      }
    },
  };
}
