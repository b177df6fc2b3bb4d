import { homedir } from "node:os";
import path from "node:path";
import { toAgentSessionKey } from "@openclaw/protocol/base";
import { resolveRunModels } from "../agent/run.js";
import { agentIdFromSessionKey } from "../agent/session-key.js";
import type { RuntimeConfig } from "../models/runtime-config.js";
import { normalizeAgentId, resolveDefaultAgentId } from "../routing/index.js";
import { builtinTools } from "./index.js";
import { capOutput } from "./output-cap.js";
import { isToolAllowed } from "./policy.js";
import { ProcessRegistry } from "./process-registry.js";
import { runToolPolicy } from "./run-policy.js";
import { ToolError, toolParameters } from "./types.js";

/** `POST /tools/invoke`'s body, with `messageChannel` / `accountId` from its headers. */
export interface ToolInvokeRequest {
  tool: string;
  action?: unknown;
  args?: unknown;
  sessionKey?: unknown;
  dryRun?: unknown;
  messageChannel?: string;
  accountId?: string;
}

export type ToolInvokeAnswer =
  | { ok: true; result: unknown }
  | { ok: false; status: number; error: { type: string; message: string } };

/**
 * Tools `POST /tools/invoke` refuses unless `gateway.tools.allow` names them. OpenClaw's own HTTP
 * deny list (`sessions_spawn`, `sessions_send`, `gateway`, `whatsapp_login`) plus, our choice, the
 * tools that run commands or change files: a leaked gateway token should not be a remote shell.
 */
export const DEFAULT_HTTP_TOOL_DENY = [
  "sessions_spawn",
  "sessions_send",
  "gateway",
  "whatsapp_login",
  "group:runtime",
  "write",
  "edit",
  "apply_patch",
];

export interface ToolInvokerOptions {
  /** The effective config now (read on every call). */
  config: () => RuntimeConfig;
  stateDir: string;
  env: NodeJS.ProcessEnv;
  /** The session's entry (its model override picks the provider layer); default: none. */
  sessionEntry?: (sessionKey: string) => Promise<Parameters<typeof resolveRunModels>[2]>;
}

const fail = (status: number, type: string, message: string): ToolInvokeAnswer => ({
  ok: false,
  status,
  error: { type, message },
});

const list = (value: unknown): string[] | undefined =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : undefined;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The HTTP layer: the default deny list, `gateway.tools.allow` re-admits, `gateway.tools.deny` adds. */
function httpVerdict(tool: string, config: RuntimeConfig): string | undefined {
  const gatewayTools = isObject(config.gateway) && isObject(config.gateway.tools) ? config.gateway.tools : {};
  const httpAllow = list(gatewayTools.allow) ?? [];
  const httpDeny = list(gatewayTools.deny) ?? [];
  const defaultDenied = !isToolAllowed(tool, { global: { deny: DEFAULT_HTTP_TOOL_DENY } }).allowed;
  const reAdmitted = httpAllow.length > 0 && isToolAllowed(tool, { global: { allow: httpAllow } }).allowed;
  if (defaultDenied && !reAdmitted)
    return `tool "${tool}" is not allowed over HTTP by default; add it to gateway.tools.allow to permit it`;
  if (httpDeny.length && !isToolAllowed(tool, { global: { deny: httpDeny } }).allowed)
    return `tool "${tool}" is denied by gateway.tools.deny`;
  return undefined;
}

/**
 * `POST /tools/invoke`: one of core's built-in tools, allowed first by the HTTP layer
 * ({@link DEFAULT_HTTP_TOOL_DENY}, `gateway.tools.allow` / `.deny`), then by the same policy a
 * run of that session gets ({@link runToolPolicy}: `tools`, the provider of the session's model,
 * the agent, the channel from `x-openclaw-message-channel`, the sub-agent layer). Answers
 * `{ ok: true, result }` or `{ ok: false, status, error }` (400 bad arguments / tool error, 404
 * unknown or not allowed).
 */
export function createToolInvoker(
  options: ToolInvokerOptions,
): (request: ToolInvokeRequest) => Promise<ToolInvokeAnswer> {
  let processes: ProcessRegistry | undefined;
  return async (request) => {
    const name = request.tool.trim();
    if (!name) return fail(400, "invalid_request", "body.tool is required (a tool name)");
    const args = request.args ?? {};
    if (!isObject(args)) return fail(400, "invalid_request", "body.args must be a JSON object");
    if (request.action !== undefined && typeof request.action !== "string")
      return fail(400, "invalid_request", "body.action must be a string");
    const config = options.config();
    const wanted = name.toLowerCase() === "bash" ? "exec" : name.toLowerCase();
    const tool = builtinTools().find((candidate) => candidate.name === wanted);
    if (!tool) return fail(404, "not_found", `unknown tool: ${name}`);
    const refused = httpVerdict(tool.name, config);
    if (refused) return fail(404, "not_found", refused);

    // the run policy of the session the call names
    const defaultAgent = resolveDefaultAgentId(config as never);
    const sessionKey = toAgentSessionKey(
      typeof request.sessionKey === "string" ? request.sessionKey : undefined,
      defaultAgent,
    );
    const agentId = agentIdFromSessionKey(sessionKey, defaultAgent);
    const agent = config.agents?.list?.find((entry) => normalizeAgentId(entry.id) === agentId);
    const channel = request.messageChannel;
    const channelBlock = channel && isObject(config.channels) ? config.channels[channel] : undefined;
    const channelTools =
      isObject(channelBlock) && isObject(channelBlock.tools) ? channelBlock.tools : undefined;
    let provider: string | undefined;
    try {
      const entry = await options.sessionEntry?.(sessionKey);
      provider = resolveRunModels(config, agentId, entry)[0]?.provider;
    } catch {
      provider = undefined; // an invalid model ref fails the run, not the policy check
    }
    const verdict = isToolAllowed(
      tool.name,
      runToolPolicy(config, {
        agentId,
        sessionKey,
        provider,
        channelTools: channelTools
          ? {
              allow: list(channelTools.allow),
              deny: list(channelTools.deny),
              ...(typeof channelTools.profile === "string" ? { profile: channelTools.profile } : {}),
            }
          : undefined,
      }),
    );
    if (!verdict.allowed) return fail(404, "not_found", verdict.reason);

    const parsed = (await toolParameters(tool)).safeParse(args);
    if (!parsed.success) {
      const issues = parsed.error.issues
        .map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`)
        .join("; ");
      return fail(400, "invalid_request", `invalid args for ${tool.name}: ${issues}`);
    }
    if (request.dryRun === true)
      return { ok: true, result: { dryRun: true, tool: tool.name, allowed: true } };

    const workspace =
      agent?.workspace ??
      (agentId === defaultAgent ? config.agents?.defaults?.workspace : undefined) ??
      (agentId === defaultAgent
        ? path.join(options.stateDir, "workspace")
        : path.join(options.stateDir, `workspace-${agentId}`));
    const workspaceDir = path.resolve(workspace.replace(/^~(?=$|\/)/, options.env.HOME ?? homedir()));
    processes ??= new ProcessRegistry();
    try {
      const result = await tool.execute(parsed.data, {
        agentId,
        sessionKey,
        workspaceDir,
        signal: AbortSignal.timeout(120_000),
        toolsConfig: config.tools ?? {},
        fetch: globalThis.fetch,
        processes,
        outputCap: 100_000,
        now: Date.now,
        stateDir: options.stateDir,
      });
      const capped = capOutput(result.content ?? "", 100_000);
      return {
        ok: true,
        result: {
          content: capped.text,
          ...(result.isError ? { isError: true } : {}),
          ...(result.details !== undefined ? { details: result.details } : {}),
        },
      };
    } catch (error) {
      if (error instanceof ToolError)
        return fail(400, "tool_error", `${tool.name} failed (${error.code}): ${error.message}`);
      return fail(
        400,
        "tool_error",
        `${tool.name} failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  };
}
