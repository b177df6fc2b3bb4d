import type { JSONSchema } from "@openclaw/protocol/model";
import type { z } from "zod";

/** What a tool returns to the model. `content` is the text the model reads. */
export interface ToolResult {
  content: string;
  isError?: boolean;
  /** Structured data for clients (not sent to the model). */
  details?: unknown;
}

/** Session operations the `sessions_*` tools use; implemented by the assistant. */
export interface SessionToolsHost {
  list(options: { agentId?: string; limit?: number; activeMinutes?: number }): Promise<SessionSummary[]>;
  history(sessionKey: string, limit?: number): Promise<{ role: string; text: string; timestamp?: string }[]>;
  send(options: {
    sessionKey: string;
    message: string;
    fromSessionKey: string;
    timeoutMs?: number;
  }): Promise<{
    /** `accepted`: `timeoutMs` 0, fire-and-forget. */
    status: "ok" | "error" | "timeout" | "accepted";
    runId?: string;
    reply?: string;
    error?: string;
  }>;
  spawn(options: {
    task: string;
    label?: string;
    agentId?: string;
    model?: string;
    runTimeoutSeconds?: number;
    cleanup?: "keep" | "delete";
    requesterSessionKey: string;
  }): Promise<{ status: "accepted"; runId: string; childSessionKey: string }>;
  status(sessionKey: string): Promise<Record<string, unknown> | undefined>;
}

export interface SessionSummary {
  key: string;
  sessionId: string;
  updatedAt?: number;
  model?: string;
  label?: string;
  totalTokens?: number;
  spawnedBy?: string;
}

/** Everything a tool may touch while it runs; injected so tools are testable in memory. */
export interface ToolContext {
  agentId: string;
  sessionKey: string;
  workspaceDir: string;
  signal: AbortSignal;
  /** The `tools` section of the config (exec security, web fetch limits, …). */
  toolsConfig: ToolsRuntimeConfig;
  fetch: typeof fetch;
  sessions?: SessionToolsHost;
  processes: import("./process-registry.js").ProcessRegistry;
  /** Maximum characters of tool output returned to the model. */
  outputCap: number;
  /** The gateway's state dir, whose secrets file/exec tools refuse (default: from the environment). */
  stateDir?: string;
  /** The gateway's config file (default: from the environment). */
  configPath?: string;
  /** The memory index (`memory_search`); without it the tool greps the memory files. */
  memory?: () => Promise<import("./memory-tools.js").MemorySearchHost>;
  /** Env this run's skills add (`skills.entries.<key>.env` / `apiKey`); exec sees it, nothing else does. */
  skillEnv?: Record<string, string>;
  /** The gateway this assistant runs in (node exec, approval requests); absent when embedded alone. */
  gateway?: import("../approvals/exec-routing.js").ExecGateway;
  now(): number;
}

/** The subset of OpenClaw's `tools` config this runtime reads. */
export interface ToolsRuntimeConfig {
  profile?: string;
  allow?: string[];
  deny?: string[];
  exec?: {
    security?: "deny" | "allowlist" | "full";
    /** Commands (binary names or absolute paths) allowed when security is `allowlist`. */
    safeBins?: string[];
    allowlist?: string[];
    backgroundMs?: number;
    timeoutSec?: number;
    /** Where exec runs: the gateway's host (default) or a paired node (`node`). */
    host?: "gateway" | "node";
    /** The node (id, name or address) when `host` is `node`. */
    node?: string;
    ask?: "off" | "on-miss" | "always";
    askFallback?: "deny" | "allowlist" | "full";
    /** How long an approval request waits for an operator (default 120 000 ms). */
    approvalTimeoutMs?: number;
  };
  fs?: {
    /** Let file and exec tools touch the gateway's own secrets (config, credentials, devices, keys). */
    allowGatewaySecrets?: boolean;
  };
  web?: {
    search?: {
      enabled?: boolean;
      /** Only "brave" here. */
      provider?: string;
      /** A resolved secret (string); else BRAVE_API_KEY. */
      apiKey?: unknown;
      maxResults?: number;
      timeoutSeconds?: number;
      cacheTtlMinutes?: number;
    };
    fetch?: {
      enabled?: boolean;
      maxChars?: number;
      /** Our addition: let web_fetch reach private/loopback addresses (off by default). */
      allowPrivateNetwork?: boolean;
      timeoutSeconds?: number;
    };
  };
}

/**
 * A typed tool: zod parameters, policy-checked before `execute` runs. `parameters` is the zod
 * schema of the arguments or a function loading it (the built-ins: zod loads with the first tool
 * call, not with the first turn). The model receives `inputSchema`; without it, the JSON Schema of
 * `parameters` (input side), which then must be a schema, not a loader.
 */
export interface ToolDefinition<P extends z.ZodType = z.ZodType> {
  name: string;
  description: string;
  parameters: P | (() => Promise<P>);
  /** The JSON Schema of the arguments sent to the model; required when `parameters` is a loader. */
  inputSchema?: JSONSchema;
  execute(params: z.infer<P>, context: ToolContext): Promise<ToolResult>;
}

export function defineTool<P extends z.ZodType>(tool: ToolDefinition<P>): ToolDefinition<P> {
  return tool;
}

/**
 * The JSON Schema the model receives for zod parameters: the input side, without `$schema`.
 * Through the schema's own method, so this module needs no zod import.
 */
export function jsonSchemaOf(parameters: z.ZodType): JSONSchema {
  const schema = parameters.toJSONSchema({ io: "input", unrepresentable: "any" }) as JSONSchema;
  delete schema.$schema;
  return schema;
}

/** The zod schema of a tool's arguments (loaded on first use when `parameters` is a loader). */
export async function toolParameters<P extends z.ZodType>(tool: ToolDefinition<P>): Promise<P> {
  return typeof tool.parameters === "function" ? await tool.parameters() : tool.parameters;
}

/** Thrown by tools for expected failures; the message goes to the model verbatim. */
export class ToolError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = "ToolError";
    this.code = code;
  }
}
