import { BUILTIN_TOOL_INPUT_SCHEMAS } from "./builtin-tool-schemas.js";
import { assertExecAvoidsGatewaySecrets, execEnvironment } from "./gateway-secrets.js";
import { capOutput } from "./output-cap.js";
import { type ProcessSession, ProcessWriteError } from "./process-registry.js";
import { defineTool, type ToolContext, ToolError, type ToolsRuntimeConfig } from "./types.js";

const SHELL_SPLIT = /\|\||&&|;|\||\n/;

/** First word of each pipeline segment: the programs a command line would run. */
export function commandPrograms(command: string): string[] {
  return command
    .split(SHELL_SPLIT)
    .map((segment) => segment.trim())
    .filter(Boolean)
    .map((segment) => {
      const words = segment.split(/\s+/);
      // skip leading VAR=value assignments
      const word = words.find((candidate) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(candidate)) ?? "";
      return word;
    });
}

/** Decide whether host exec may run `command` under `tools.exec.security`. */
export function checkExecSecurity(
  command: string,
  config: ToolsRuntimeConfig["exec"] = {},
): { allowed: true } | { allowed: false; reason: string } {
  const security = config.security ?? "allowlist";
  if (security === "full") return { allowed: true };
  if (security === "deny")
    return { allowed: false, reason: 'exec is disabled (tools.exec.security = "deny")' };
  const allowlist = [...(config.safeBins ?? []), ...(config.allowlist ?? [])];
  if (allowlist.length === 0)
    return {
      allowed: false,
      reason:
        'exec denied: tools.exec.security is "allowlist" and the allowlist is empty. Add programs to tools.exec.safeBins (e.g. ["ls","cat","git"]) or set tools.exec.security to "full".',
    };
  if (/`|\$\(|<\(|>\(/.test(command))
    return { allowed: false, reason: "exec denied: command substitution is not allowed in allowlist mode" };
  for (const program of commandPrograms(command)) {
    const base = program.split("/").pop() ?? program;
    if (!allowlist.includes(program) && !allowlist.includes(base))
      return {
        allowed: false,
        reason: `exec denied: "${base}" is not in tools.exec.safeBins (allowlist mode). Allowed: ${allowlist.join(", ")}`,
      };
  }
  return { allowed: true };
}

function describeSession(session: ProcessSession): Record<string, unknown> {
  return {
    id: session.id,
    command: session.command,
    status: session.status,
    exitCode: session.exitCode ?? null,
    startedAt: session.startedAt,
    endedAt: session.endedAt ?? null,
  };
}

function finishedText(session: ProcessSession, cap: number): string {
  const status =
    session.status === "killed"
      ? "killed"
      : session.exitCode === 0
        ? "exit code 0"
        : `exit code ${session.exitCode ?? "?"}${session.signal ? ` (signal ${session.signal})` : ""}`;
  const output = capOutput(session.output, cap);
  return `${output.text}${output.text.endsWith("\n") || !output.text ? "" : "\n"}[${status}]`;
}

export const execTool = defineTool({
  name: "exec",
  description:
    "Run a shell command in the workspace. Long commands move to the background after yieldMs; use the process tool to poll or kill them.",
  parameters: async () => (await import("./tool-parameters.js")).execParameters,
  inputSchema: BUILTIN_TOOL_INPUT_SCHEMAS.exec,
  async execute(params, context) {
    // tools.exec.host = node (or the session's /exec host=node): the node runs it under its approvals
    if (context.toolsConfig.exec?.host === "node")
      return (await import("../approvals/exec-routing.js")).execOnNode(params, context);
    const verdict = checkExecSecurity(params.command, context.toolsConfig.exec);
    const cwd = params.workdir
      ? (await import("./fs-tools.js")).resolveToolPath(context.workspaceDir, params.workdir)
      : context.workspaceDir;
    // the gateway's own secrets are refused before any approval is asked for
    assertExecAvoidsGatewaySecrets(params.command, cwd, context);
    // the gateway host's exec-approvals.json: its allowlist and an operator's approval may allow a
    // miss; an invalid file or security=deny there denies everything
    const routing = await import("../approvals/exec-routing.js");
    const refused = verdict.allowed
      ? await routing.gatewayHostFileDenies(context)
      : await routing.approveOnGatewayHost(params.command, cwd, context, verdict.reason);
    if (refused) throw new ToolError("exec_denied", refused);
    // background sessions keep stdin open for `process action=write`; foreground ones read EOF
    const session = context.processes.start(params.command, {
      cwd,
      stdin: params.background === true,
      env: execEnvironment(context),
    });
    const timeoutSec = params.timeout ?? context.toolsConfig.exec?.timeoutSec ?? 1800;
    const killTimer = setTimeout(() => context.processes.kill(session.id), timeoutSec * 1000);
    killTimer.unref();
    void session.done.then(() => clearTimeout(killTimer));
    const onAbort = () => context.processes.kill(session.id);
    if (params.background) {
      return {
        content: `Started in background: ${session.id}. Use process action=poll id=${session.id}.`,
        details: describeSession(session),
      };
    }
    context.signal.addEventListener("abort", onAbort, { once: true });
    const yieldMs = params.yieldMs ?? context.toolsConfig.exec?.backgroundMs ?? 10_000;
    let yieldTimer: NodeJS.Timeout | undefined;
    const yielded = await Promise.race([
      session.done.then(() => false),
      new Promise<boolean>((resolve) => {
        yieldTimer = setTimeout(() => resolve(true), yieldMs);
      }),
    ]);
    clearTimeout(yieldTimer);
    context.signal.removeEventListener("abort", onAbort);
    if (yielded) {
      return {
        content: `Still running after ${yieldMs} ms; moved to background as ${session.id}. Output so far:\n${capOutput(session.output, context.outputCap).text}`,
        details: describeSession(session),
      };
    }
    session.readOffset = session.output.length;
    if (session.status === "killed" && !context.signal.aborted)
      return {
        content: finishedText(session, context.outputCap) + `\n[killed after ${timeoutSec}s timeout]`,
        isError: true,
      };
    return {
      content: finishedText(session, context.outputCap),
      isError: session.exitCode !== 0,
      details: describeSession(session),
    };
  },
});

export const processTool = defineTool({
  name: "process",
  description:
    "Manage background exec sessions: list, poll (new output), log (all output), write (to stdin; eof closes it), kill, clear (forget finished sessions; without id: all finished), remove (kill if running, then forget).",
  parameters: async () => (await import("./tool-parameters.js")).processParameters,
  inputSchema: BUILTIN_TOOL_INPUT_SCHEMAS.process,
  async execute(params, context: ToolContext) {
    if (params.action === "clear" && !params.id) {
      const cleared = context.processes.clear();
      return {
        content: cleared.length ? `Cleared ${cleared.join(", ")}` : "No finished processes to clear.",
        details: { cleared },
      };
    }
    if (params.action === "list") {
      const sessions = context.processes.list().map(describeSession);
      return {
        content: sessions.length
          ? sessions
              .map(
                (s) =>
                  `${s.id} ${s.status}${s.exitCode !== null ? ` (exit ${s.exitCode})` : ""}: ${s.command}`,
              )
              .join("\n")
          : "No background processes.",
        details: sessions,
      };
    }
    if (!params.id) throw new ToolError("invalid_params", `process action "${params.action}" needs an id`);
    const session = context.processes.get(params.id);
    if (!session) throw new ToolError("not_found", `No process with id ${params.id}`);
    switch (params.action) {
      case "poll": {
        const fresh = session.output.slice(session.readOffset);
        session.readOffset = session.output.length;
        const text = capOutput(fresh, context.outputCap).text;
        return {
          content: `${text || "(no new output)"}\n[${session.status}${session.status !== "running" ? `, exit ${session.exitCode ?? "?"}` : ""}]`,
          details: describeSession(session),
        };
      }
      case "log":
        return {
          content: capOutput(session.output, context.outputCap).text,
          details: describeSession(session),
        };
      case "kill": {
        const killed = context.processes.kill(session.id);
        if (killed) await session.done;
        return {
          content: killed ? `Killed ${session.id}` : `${session.id} was not running (${session.status})`,
        };
      }
      case "write": {
        if (params.data === undefined && !params.eof)
          throw new ToolError("invalid_params", 'process action "write" needs data (or eof: true)');
        try {
          const written = await context.processes.write(session.id, params.data ?? "", params.eof === true);
          return {
            content: `Wrote ${written.bytes} bytes to ${session.id}${written.closed ? " and closed its stdin" : ""}`,
            details: { id: session.id, ...written },
          };
        } catch (error) {
          if (error instanceof ProcessWriteError) throw new ToolError(error.code, error.message);
          throw error;
        }
      }
      case "clear":
        try {
          context.processes.clear(session.id);
        } catch (error) {
          if (error instanceof ProcessWriteError) throw new ToolError(error.code, error.message);
          throw error;
        }
        return { content: `Cleared ${session.id}`, details: { cleared: [session.id] } };
      case "remove":
        context.processes.remove(session.id);
        return { content: `Removed ${session.id}` };
    }
  },
});
