import type { LanguageModelV1FunctionTool } from "@openclaw/protocol";
import type { RuntimeConfig } from "../models/runtime-config.js";
import { capOutput } from "../tools/output-cap.js";
import { isToolAllowed } from "../tools/policy.js";
import { type RunToolContext, runToolPolicy } from "../tools/run-policy.js";
import type { ToolContext, ToolDefinition, ToolsRuntimeConfig } from "../tools/types.js";
import { jsonSchemaOf, ToolError, toolParameters } from "../tools/types.js";
import type { ToolResultMessage } from "./transcript.js";
import type { RuntimeDeps } from "./turn-state.js";

/** One short line describing a tool call for verbose mode (`🔧 read: notes.txt`). */
export function toolNotice(name: string, args: Record<string, unknown>, full: boolean): string {
  const main =
    args.path ?? args.command ?? args.url ?? args.query ?? args.task ?? args.sessionKey ?? args.action;
  const detail = full ? JSON.stringify(args) : typeof main === "string" ? main : "";
  const short = detail.length > 120 ? `${detail.slice(0, 119)}…` : detail;
  return `🔧 ${name}${short ? `: ${short}` : ""}`;
}

/**
 * The JSON Schema the model receives: the tool's `inputSchema` (the built-ins': precomputed, so a
 * turn needs no zod), else derived from its zod `parameters` (the input side, without `$schema`).
 */
function toolSpec(tool: ToolDefinition): LanguageModelV1FunctionTool {
  let schema = tool.inputSchema;
  if (!schema) {
    if (typeof tool.parameters === "function")
      throw new Error(`tool ${tool.name}: parameters given as a loader need an inputSchema`);
    schema = jsonSchemaOf(tool.parameters);
  }
  return { type: "function", name: tool.name, description: tool.description, inputSchema: schema };
}

const toolSpecCache = new WeakMap<ToolDefinition, LanguageModelV1FunctionTool>();
/** The model-facing spec of a tool (JSON Schema of its parameters), computed once per tool. */
export function cachedToolSpec(tool: ToolDefinition): LanguageModelV1FunctionTool {
  let spec = toolSpecCache.get(tool);
  if (!spec) {
    spec = toolSpec(tool);
    toolSpecCache.set(tool, spec);
  }
  return spec;
}

/**
 * The tools this turn may use: global → provider → agent → channel/group → sub-agent layers, as
 * `runToolPolicy` builds them (`POST /tools/invoke` uses the same input).
 */
export function allowedToolsFor(
  tools: ToolDefinition[],
  config: RuntimeConfig,
  run: RunToolContext,
): ToolDefinition[] {
  const policy = runToolPolicy(config, run);
  return tools.filter((tool) => isToolAllowed(tool.name, policy).allowed);
}

export function toolResultMessage(
  toolCallId: string,
  toolName: string,
  text: string,
  isError: boolean,
  now: number,
  details?: unknown,
): ToolResultMessage {
  return {
    role: "toolResult",
    toolCallId,
    toolName,
    content: [{ type: "text", text }],
    ...(details !== undefined ? { details } : {}),
    isError,
    timestamp: now,
  };
}

export interface ToolRunOptions {
  deps: RuntimeDeps;
  agentId: string;
  sessionKey: string;
  toolsByName: Map<string, ToolDefinition>;
  knownTools: Set<string>;
  workspaceDir: string;
  toolsConfig: ToolsRuntimeConfig;
  signal: AbortSignal;
  /** The run's skill env overlay. */
  skillEnv?: Record<string, string>;
}

export interface ToolCall {
  id: string;
  name: string;
  arguments: Record<string, unknown>;
  parseError?: string;
}

/** Why a call cannot run (bad JSON, not allowed, unknown tool, invalid arguments), else the parsed arguments. */
async function checkCall(
  call: ToolCall,
  options: ToolRunOptions,
): Promise<{ error: string } | { tool: ToolDefinition; args: unknown }> {
  if (call.parseError)
    return { error: `Error: ${call.parseError}. Call ${call.name} again with a JSON object of arguments.` };
  const tool = options.toolsByName.get(call.name);
  if (!tool) {
    if (options.knownTools.has(call.name))
      return { error: `Error: tool "${call.name}" is not allowed in this session by the tool policy.` };
    return {
      error: `Error: unknown tool "${call.name}". Available tools: ${[...options.toolsByName.keys()].join(", ") || "none"}.`,
    };
  }
  // the built-ins' zod schemas (and zod) load with the first call that needs them
  const parsed = (await toolParameters(tool)).safeParse(call.arguments);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`)
      .join("; ");
    return { error: `Error: invalid arguments for ${call.name}: ${issues}` };
  }
  return { tool, args: parsed.data };
}

/** Policy check → argument validation → execute → cap output. Never throws. */
export async function runTool(
  call: ToolCall,
  options: ToolRunOptions,
): Promise<{ content: string; isError: boolean; details?: unknown }> {
  const cap = options.deps.toolOutputCap ?? 100_000;
  const checked = await checkCall(call, options);
  if ("error" in checked) return { content: checked.error, isError: true };
  const context: ToolContext = {
    agentId: options.agentId,
    sessionKey: options.sessionKey,
    workspaceDir: options.workspaceDir,
    signal: options.signal,
    toolsConfig: options.toolsConfig,
    fetch: options.deps.fetch,
    sessions: options.deps.sessionsHost,
    processes: options.deps.processes,
    outputCap: cap,
    now: options.deps.now,
    stateDir: options.deps.stateDir,
    configPath: options.deps.configPath,
    memory: options.deps.memory,
    skillEnv: options.skillEnv,
    ...(options.deps.gateway ? { gateway: options.deps.gateway } : {}),
  };
  try {
    // a tool that ignores the abort signal must not hold the session's lane forever
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () =>
        reject(new ToolError("aborted", `${call.name} was stopped: the run was aborted or timed out`));
      if (options.signal.aborted) onAbort();
      else options.signal.addEventListener("abort", onAbort, { once: true });
    });
    aborted.catch(() => {});
    let result: Awaited<ReturnType<ToolDefinition["execute"]>>;
    try {
      result = await Promise.race([checked.tool.execute(checked.args as never, context), aborted]);
    } finally {
      if (onAbort) options.signal.removeEventListener("abort", onAbort);
    }
    const capped = capOutput(result.content ?? "", cap);
    return { content: capped.text, isError: result.isError === true, details: result.details };
  } catch (error) {
    if (error instanceof ToolError)
      return { content: `Error (${error.code}): ${error.message}`, isError: true };
    return {
      content: `Error: tool ${call.name} failed: ${(error as Error)?.message ?? String(error)}`,
      isError: true,
    };
  }
}
