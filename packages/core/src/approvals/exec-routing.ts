import { join } from "node:path";
import type { ToolContext, ToolResult, ToolsRuntimeConfig } from "../tools/types.js";
import { ToolError } from "../tools/types.js";

// Where the agent's exec runs and under which approvals: `tools.exec.host` gateway | node,
// `tools.exec.node`, or the session's `/exec host=node node=<id>`. On a node, the node's own
// exec-approvals.json decides (with the stricter of the gateway's tools.exec.* as hints); on the
// gateway host, the gateway's exec-approvals.json joins the config's allowlist and an operator
// can approve a miss when `ask` says so.

/** How core reaches the gateway it runs in (the assembly passes `gateway.call`). */
export interface ExecGateway {
  call(method: string, params: Record<string, unknown>): Promise<unknown>;
}

/** The session's `/exec` choices over the config's `tools.exec.*`. */
export function sessionExecConfig(
  tools: ToolsRuntimeConfig | undefined,
  entry: Record<string, unknown> | undefined,
): ToolsRuntimeConfig {
  const base = tools ?? {};
  if (
    !entry ||
    (entry.execHost === undefined &&
      entry.execNode === undefined &&
      entry.execSecurity === undefined &&
      entry.execAsk === undefined)
  )
    return base;
  const exec = { ...base.exec };
  if (typeof entry.execHost === "string") exec.host = entry.execHost as "gateway" | "node";
  if (typeof entry.execNode === "string") exec.node = entry.execNode;
  const order = ["deny", "allowlist", "full"];
  // a session may tighten the security, never loosen it
  if (
    typeof entry.execSecurity === "string" &&
    order.indexOf(entry.execSecurity) >= 0 &&
    order.indexOf(entry.execSecurity) < order.indexOf(exec.security ?? "allowlist")
  )
    exec.security = entry.execSecurity as "deny" | "allowlist";
  if (entry.execAsk === "on-miss" || entry.execAsk === "always") exec.ask = entry.execAsk;
  return { ...base, exec };
}

/** `/exec host=node node=<id>` → the session patch (undefined keys clear), or an error text. */
export function parseExecCommand(
  args: string,
): { patch: Record<string, string | undefined> } | { error: string } {
  const patch: Record<string, string | undefined> = {};
  for (const word of args.split(/\s+/).filter(Boolean)) {
    const [key, value] = word.split("=", 2);
    if (key === "host" && (value === "gateway" || value === "node")) patch.execHost = value;
    else if (key === "node" && value) patch.execNode = value;
    else if (key === "security" && (value === "deny" || value === "allowlist")) patch.execSecurity = value;
    else if (key === "ask" && (value === "on-miss" || value === "always")) patch.execAsk = value;
    else if (word === "reset")
      Object.assign(patch, {
        execHost: undefined,
        execNode: undefined,
        execSecurity: undefined,
        execAsk: undefined,
      });
    else
      return {
        error: `Unknown /exec option "${word}". Use host=gateway|node node=<id> security=deny|allowlist ask=on-miss|always, or reset.`,
      };
  }
  return { patch };
}

function gatewayOf(context: ToolContext): ExecGateway {
  if (!context.gateway)
    throw new ToolError(
      "exec_unavailable",
      "exec on a node needs a gateway (tools.exec.host is node but this assistant runs without one)",
    );
  return context.gateway;
}

/** A gateway method error as the tool reports it (`NODE_OFFLINE: node laptop is offline`). */
function gatewayError(error: unknown): ToolError {
  const shape = (error as { shape?: { code?: string; message?: string; details?: { code?: string } } }).shape;
  const code = shape?.details?.code ?? shape?.code ?? "node_error";
  return new ToolError(code, shape?.message ?? (error as Error)?.message ?? String(error));
}

const APPROVAL_WAIT_MS = 120_000;

/** Run `command` on the configured node through `node.invoke` → `system.run`. */
export async function execOnNode(
  params: { command: string; timeout?: number; workdir?: string },
  context: ToolContext,
): Promise<ToolResult> {
  const exec = context.toolsConfig.exec ?? {};
  const node = exec.node;
  if (!node)
    throw new ToolError(
      "exec_node_unset",
      'tools.exec.host is "node" but no node is chosen: set tools.exec.node or use /exec host=node node=<id>',
    );
  const commandTimeoutMs = (params.timeout ?? exec.timeoutSec ?? 300) * 1000;
  const timeoutMs = commandTimeoutMs + (exec.approvalTimeoutMs ?? APPROVAL_WAIT_MS) + 10_000;
  let outcome: {
    ok: boolean;
    payload?: {
      stdout?: string;
      stderr?: string;
      exitCode?: number | null;
      timedOut?: boolean;
      truncated?: boolean;
    };
    error?: { code?: string; message?: string };
  };
  try {
    outcome = (await gatewayOf(context).call("node.invoke", {
      nodeId: node,
      command: "system.run",
      params: {
        command: ["/bin/sh", "-c", params.command],
        rawCommand: params.command,
        ...(params.workdir ? { cwd: params.workdir } : {}),
        agentId: context.agentId,
        sessionKey: context.sessionKey,
        commandTimeoutMs,
        ...(exec.security ? { security: exec.security } : {}),
        ...(exec.ask ? { ask: exec.ask } : {}),
        ...(exec.askFallback ? { askFallback: exec.askFallback } : {}),
      },
      timeoutMs,
      idempotencyKey: `${context.sessionKey}:${context.now()}:${Math.random().toString(36).slice(2)}`,
    })) as typeof outcome;
  } catch (error) {
    throw gatewayError(error);
  }
  if (!outcome.ok)
    throw new ToolError(
      outcome.error?.code ?? "node_error",
      outcome.error?.message ?? "system.run failed on the node",
    );
  const result = outcome.payload ?? {};
  const text = `${result.stdout ?? ""}${result.stderr ? `${result.stdout?.endsWith("\n") || !result.stdout ? "" : "\n"}${result.stderr}` : ""}`;
  const status = result.timedOut ? "killed after timeout" : `exit code ${result.exitCode ?? "?"}`;
  return {
    content: `${text}${text.endsWith("\n") || !text ? "" : "\n"}[${status} · node ${node}]`,
    isError: result.exitCode !== 0,
    details: {
      host: "node",
      node,
      exitCode: result.exitCode ?? null,
      timedOut: result.timedOut === true,
      truncated: result.truncated === true,
    },
  };
}

/**
 * The gateway host's approvals for a command the config's allowlist refused: the host file's
 * allowlist (globs over resolved paths) may allow it; when `ask` (tools.exec.ask or the file's)
 * says so an operator may approve it. Returns the reason it stays denied, or undefined when it may run.
 */
export async function approveOnGatewayHost(
  command: string,
  cwd: string,
  context: ToolContext,
  configReason: string,
): Promise<string | undefined> {
  const engine = await import("@openclaw/exec-approvals");
  const exec = context.toolsConfig.exec ?? {};
  const stateDir = context.stateDir ?? process.env.OPENCLAW_STATE_DIR;
  if (!stateDir) return configReason;
  const path = join(stateDir, "exec-approvals.json");
  const snapshot = engine.readApprovalsFile(path);
  if (snapshot.invalid)
    return `${configReason} (and the exec approvals file is invalid, so every command is denied: ${snapshot.invalid})`;
  const fileAsk = snapshot.file.agents?.[context.agentId]?.ask ?? snapshot.file.defaults?.ask;
  const policy = engine.effectivePolicy(snapshot, context.agentId, {
    security: exec.security ?? "allowlist",
    // the gateway host asks only when the config or the file says so
    ask: exec.ask ?? fileAsk ?? "off",
    ...(exec.askFallback ? { askFallback: exec.askFallback } : {}),
    // tools.exec.safeBins already passed the config's check: the file's allowlist is what may add
    safeBins: [],
  });
  const verdict = engine.decideExec(
    engine.analyzeShellCommand(command),
    policy,
    (program) => engine.whichSync(program, { cwd }),
    process.env.HOME,
  );
  if (verdict.decision === "allow") return undefined;
  if (verdict.decision === "deny") return `${configReason}; SYSTEM_RUN_DENIED: ${verdict.reason}`;
  if (!context.gateway) return `${configReason}; SYSTEM_RUN_DENIED: approval required (no gateway to ask)`;
  const argv = ["/bin/sh", "-c", command];
  let decision: string | null = null;
  try {
    const answer = (await context.gateway.call("exec.approval.request", {
      command,
      commandArgv: argv,
      cwd,
      host: "gateway",
      agentId: context.agentId,
      sessionKey: context.sessionKey,
      resolvedPath: verdict.segments.find((segment) => !segment.matchedBy)?.resolvedPath ?? null,
      reason: verdict.reason,
      timeoutMs: exec.approvalTimeoutMs ?? APPROVAL_WAIT_MS,
      bindingHash: engine.runBindingHash(argv, cwd, undefined),
    })) as { decision?: string | null };
    decision = answer.decision ?? null;
  } catch (error) {
    return `${configReason}; SYSTEM_RUN_DENIED: approval required (${(error as Error).message})`;
  }
  if (decision === "deny") return "SYSTEM_RUN_DENIED: approval denied by an operator";
  if (decision === null)
    return policy.askFallback === "full"
      ? undefined
      : `SYSTEM_RUN_DENIED: approval required (no decision in time; askFallback ${policy.askFallback})`;
  if (decision === "allow-always")
    for (const segment of verdict.segments)
      if (!segment.matchedBy && segment.resolvedPath)
        engine.addAllowlistEntry(path, context.agentId, segment.resolvedPath, {
          command,
          resolvedPath: segment.resolvedPath,
        });
  return undefined;
}

/** The gateway host's file tightening a command the config allowed: invalid file or security deny. */
export async function gatewayHostFileDenies(context: ToolContext): Promise<string | undefined> {
  const stateDir = context.stateDir ?? process.env.OPENCLAW_STATE_DIR;
  if (!stateDir) return undefined;
  const { readApprovalsFile } = await import("@openclaw/exec-approvals");
  const snapshot = readApprovalsFile(join(stateDir, "exec-approvals.json"));
  if (snapshot.invalid)
    return `SYSTEM_RUN_DENIED: the exec approvals file is invalid, so every command is denied (${snapshot.invalid})`;
  const security = snapshot.file.agents?.[context.agentId]?.security ?? snapshot.file.defaults?.security;
  return security === "deny" ? "SYSTEM_RUN_DENIED: security=deny (exec-approvals.json)" : undefined;
}
