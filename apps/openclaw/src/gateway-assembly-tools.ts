import type { JsonObject } from "@openclaw/gateway";

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

type ToolsModule = typeof import("@openclaw/core");
type Failure = { ok: false; status: number; error: { type: string; message: string } };

const fail = (status: number, type: string, message: string): Failure => ({
  ok: false,
  status,
  error: { type, message },
});

const list = (value: unknown): string[] | undefined =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : undefined;

/**
 * `POST /tools/invoke` for the assembly: one of core's built-in tools, run through core's single
 * policy function (`isToolAllowed`) twice — first the HTTP layer (`DEFAULT_HTTP_TOOL_DENY` minus
 * `gateway.tools.allow`, plus `gateway.tools.deny`), then the normal chain (`tools.*`,
 * `agents.list[].tools`, the channel's tools). Answers `{ ok: true, result }` or
 * `{ ok: false, status, error }` (400 bad arguments / tool error, 404 unknown or not allowed).
 * Core is imported on the first call only.
 */
export function createToolInvoker(options: {
  config: () => Record<string, unknown>;
  stateDir: string;
  env: NodeJS.ProcessEnv;
}): (params: JsonObject) => Promise<JsonObject> {
  let core: ToolsModule | undefined;
  let processes: InstanceType<ToolsModule["ProcessRegistry"]> | undefined;
  return async (params) => {
    const name = typeof params.tool === "string" ? params.tool.trim() : "";
    if (!name) return fail(400, "invalid_request", "body.tool is required (a tool name)");
    const args = params.args ?? {};
    if (typeof args !== "object" || args === null || Array.isArray(args))
      return fail(400, "invalid_request", "body.args must be a JSON object");
    if (params.action !== undefined && typeof params.action !== "string")
      return fail(400, "invalid_request", "body.action must be a string");
    if (!core) core = await import("@openclaw/core");
    const loaded = core;
    processes ??= new loaded.ProcessRegistry();
    const config = options.config();
    const wanted = name.toLowerCase() === "bash" ? "exec" : name.toLowerCase();
    const tool = core.builtinTools().find((candidate) => candidate.name === wanted);
    if (!tool) return fail(404, "not_found", `unknown tool: ${name}`);

    // the HTTP layer: default deny list, gateway.tools.allow re-admits, gateway.tools.deny adds
    const gatewayTools = ((config.gateway as JsonObject | undefined)?.tools ?? {}) as JsonObject;
    const httpAllow = list(gatewayTools.allow) ?? [];
    const httpDeny = list(gatewayTools.deny) ?? [];
    const defaultDenied = !core.isToolAllowed(tool.name, { global: { deny: DEFAULT_HTTP_TOOL_DENY } })
      .allowed;
    const reAdmitted =
      httpAllow.length > 0 && core.isToolAllowed(tool.name, { global: { allow: httpAllow } }).allowed;
    if (defaultDenied && !reAdmitted)
      return fail(
        404,
        "not_found",
        `tool "${tool.name}" is not allowed over HTTP by default; add it to gateway.tools.allow to permit it`,
      );
    if (httpDeny.length && !core.isToolAllowed(tool.name, { global: { deny: httpDeny } }).allowed)
      return fail(404, "not_found", `tool "${tool.name}" is denied by gateway.tools.deny`);

    // the normal chain for the agent the session belongs to
    const { toAgentSessionKey } = await import("@openclaw/protocol");
    const agents = (config.agents ?? {}) as {
      defaults?: { workspace?: string };
      list?: { id: string; default?: boolean; workspace?: string; tools?: JsonObject }[];
    };
    const defaultAgent = core.resolveDefaultAgentId(config as never);
    const sessionKey = toAgentSessionKey(
      typeof params.sessionKey === "string" ? params.sessionKey : undefined,
      defaultAgent,
    );
    const agentId = core.agentIdFromSessionKey(sessionKey, defaultAgent);
    const agent = agents.list?.find((entry) => loaded.normalizeAgentId(entry.id) === agentId);
    const channel = typeof params.messageChannel === "string" ? params.messageChannel : undefined;
    const channelTools = channel
      ? (((config.channels as JsonObject | undefined)?.[channel] as JsonObject | undefined)?.tools as
          | JsonObject
          | undefined)
      : undefined;
    const verdict = core.isToolAllowed(tool.name, {
      global: (config.tools ?? {}) as never,
      agent: agent?.tools as never,
      channel: channelTools as never,
    });
    if (!verdict.allowed) return fail(404, "not_found", verdict.reason);

    const parsed = tool.parameters.safeParse(args);
    if (!parsed.success) {
      const issues = parsed.error.issues
        .map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`)
        .join("; ");
      return fail(400, "invalid_request", `invalid args for ${tool.name}: ${issues}`);
    }
    if (params.dryRun === true) return { ok: true, result: { dryRun: true, tool: tool.name, allowed: true } };

    const { homedir } = await import("node:os");
    const path = await import("node:path");
    const workspace =
      agent?.workspace ??
      (agentId === defaultAgent ? agents.defaults?.workspace : undefined) ??
      (agentId === defaultAgent
        ? path.join(options.stateDir, "workspace")
        : path.join(options.stateDir, `workspace-${agentId}`));
    const workspaceDir = path.resolve(workspace.replace(/^~(?=$|\/)/, options.env.HOME ?? homedir()));
    try {
      const result = await tool.execute(parsed.data, {
        agentId,
        sessionKey,
        workspaceDir,
        signal: AbortSignal.timeout(120_000),
        toolsConfig: (config.tools ?? {}) as never,
        fetch: globalThis.fetch,
        processes,
        outputCap: 100_000,
        now: Date.now,
      });
      const capped = core.capOutput(result.content ?? "", 100_000);
      return {
        ok: true,
        result: {
          content: capped.text,
          ...(result.isError ? { isError: true } : {}),
          ...(result.details !== undefined ? { details: result.details as JsonObject } : {}),
        },
      };
    } catch (error) {
      if (error instanceof core.ToolError)
        return fail(400, "tool_error", `${tool.name} failed (${error.code}): ${error.message}`);
      return fail(
        400,
        "tool_error",
        `${tool.name} failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  };
}
