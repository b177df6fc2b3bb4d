import { isThinkingLevel, THINKING_LEVELS } from "@openclaw/protocol/model";
import {
  configuredModelRefs,
  formatModelRef,
  ModelRefError,
  modelAliases,
  modelCatalog,
  resolveModelInput,
} from "../models/model-ref.js";
import type { RuntimeConfig } from "../models/runtime-config.js";
import { normalizeQueueMode, QUEUE_MODES, type QueueMode } from "./session-queue.js";
import type { SessionEntry } from "./session-store.js";

/** Who sent a message. `authorized: false` makes slash commands plain text. */
export interface SenderInfo {
  id?: string;
  name?: string;
  channel?: string;
  /** Set by the channel pipeline from its access policy; API/CLI callers default to authorized. */
  authorized?: boolean;
  isOwner?: boolean;
}

export interface ParsedCommand {
  name: string;
  args: string;
}

const ALIASES: Record<string, string> = {
  thinking: "think",
  t: "think",
  v: "verbose",
  models: "model",
  id: "whoami",
  commands: "help",
};

export const COMMAND_HELP: Record<string, string> = {
  help: "list commands",
  status: "show model, tokens and queue of this session",
  new: "start a new session (optionally with a model: /new <model>)",
  reset: "start a new session",
  model: "show or set the model: /model <ref|alias|list|status>",
  think: `set the thinking level: ${THINKING_LEVELS.join("|")}`,
  verbose: "toggle verbose tool output: /verbose on|off|full",
  stop: "stop the current reply and clear queued messages",
  compact: "summarize older messages now: /compact [focus]",
  usage: "show token usage and cost of this session",
  whoami: "show your sender id",
  queue: `set how messages queue while busy: ${QUEUE_MODES.join("|")}`,
  approve: "decide a pending exec approval: /approve <id> allow-once|allow-always|deny (approvers only)",
  exec: "where this session's exec runs: /exec host=gateway|node node=<id> (or reset)",
};

/** A standalone `/name args` message (optional `:` after the name), else undefined. */
export function parseCommand(text: string): ParsedCommand | undefined {
  const match = /^\/([a-z][a-z0-9_-]*)(?::)?(?:\s+([\s\S]*))?$/i.exec(text.trim());
  if (!match) return undefined;
  const raw = match[1]!.toLowerCase();
  const name = ALIASES[raw] ?? raw;
  if (!(name in COMMAND_HELP)) return undefined;
  return { name, args: (match[2] ?? "").trim() };
}

/**
 * `session.resetTriggers` (default `["/new", "/reset"]`, spec §5.3): a message that is exactly a
 * trigger (case-insensitive) starts a fresh session; `<trigger> <text>` starts one and answers
 * `<text>` in it. `/new` and `/reset` themselves stay commands (`/new <model>`, the greeting);
 * this matches the other triggers only.
 */
export function matchResetTrigger(
  text: string,
  triggers: readonly string[] | undefined,
): { rest: string } | undefined {
  const trimmed = text.trim();
  const lower = trimmed.toLowerCase();
  for (const raw of triggers ?? []) {
    const trigger = raw.trim().toLowerCase();
    if (!trigger || trigger === "/new" || trigger === "/reset") continue;
    if (lower === trigger) return { rest: "" };
    if (lower.startsWith(trigger) && /\s/.test(lower.charAt(trigger.length)))
      return { rest: trimmed.slice(trigger.length).trim() };
  }
  return undefined;
}

/** What commands may do to the assistant. Implemented by `createAssistant`. */
export interface CommandHost {
  config: RuntimeConfig;
  agentId: string;
  sessionKey: string;
  sender?: SenderInfo;
  entry(): Promise<SessionEntry | undefined>;
  patch(patch: Partial<SessionEntry>): Promise<SessionEntry | undefined>;
  reset(): Promise<SessionEntry>;
  /** Abort the run, clear the queue, and stop sub-agents this session spawned (`subagents`). */
  stop(): { aborted: boolean; cleared: number; subagents?: number };
  compact(
    instructions?: string,
  ): Promise<{ compacted: boolean; tokensBefore: number; tokensAfter: number; reason?: string }>;
  queueMode(): QueueMode;
  currentModel(): Promise<string>;
  /** The gateway this assistant runs in (`/approve` resolves through it). */
  gateway?: import("../approvals/exec-routing.js").ExecGateway;
}

const DECISIONS: Record<string, "allow-once" | "allow-always" | "deny"> = {
  "allow-once": "allow-once",
  once: "allow-once",
  "allow-always": "allow-always",
  always: "allow-always",
  deny: "deny",
};

/** `/approve <id> allow-once|allow-always|deny`: only a sender listed in `approvals.exec.approvers`. */
async function approveCommand(args: string, host: CommandHost): Promise<string> {
  const [id, word] = args.split(/\s+/);
  const decision = word ? DECISIONS[word.toLowerCase()] : undefined;
  if (!id || !decision) return "Usage: /approve <id> allow-once|allow-always|deny";
  const { isChatApprover } = await import("../approvals/service.js");
  if (!isChatApprover(host.config as Record<string, unknown>, host.sender))
    return "You are not an exec approver here (approvals.exec.approvers); nothing was approved.";
  if (!host.gateway) return "Exec approvals need the gateway; nothing was approved.";
  try {
    await host.gateway.call("exec.approval.resolve", { id, decision });
    return `Exec approval ${id}: ${decision}.`;
  } catch (error) {
    return `Could not decide ${id}: ${(error as Error).message}`;
  }
}

function formatTokens(value: number | undefined): string {
  if (!value) return "0";
  return value >= 10_000 ? `${(value / 1000).toFixed(1)}k` : String(value);
}

/** Run a chat command and return the reply text. */
export async function runCommand(command: ParsedCommand, host: CommandHost): Promise<string> {
  const args = command.args;
  switch (command.name) {
    case "help":
      return `Commands:\n${Object.entries(COMMAND_HELP)
        .map(([name, help]) => `/${name} — ${help}`)
        .join("\n")}`;
    case "status": {
      const entry = await host.entry();
      return [
        `Session: ${host.sessionKey}${entry ? ` (${entry.sessionId})` : " (not started)"}`,
        `Model: ${await host.currentModel()}${entry?.modelOverride ? " (session override)" : ""}`,
        `Thinking: ${entry?.thinkingLevel ?? host.config.agents?.defaults?.thinkingDefault ?? "off"} · Verbose: ${entry?.verboseLevel ?? "off"} · Queue: ${host.queueMode()}`,
        `Tokens: ${formatTokens(entry?.inputTokens)} in / ${formatTokens(entry?.outputTokens)} out · context ~${formatTokens(entry?.contextTokens)} · compactions ${entry?.compactionCount ?? 0}`,
        entry?.updatedAt ? `Last activity: ${new Date(entry.updatedAt).toISOString()}` : "",
      ]
        .filter(Boolean)
        .join("\n");
    }
    case "new":
    case "reset": {
      let modelNote = "";
      let ref: string | undefined;
      if (command.name === "new" && args) {
        try {
          ref = formatModelRef(resolveModelInput(args, host.config, host.agentId));
        } catch (error) {
          return error instanceof ModelRefError ? error.message : String(error);
        }
      }
      host.stop();
      await host.reset();
      if (ref) {
        const [provider, ...rest] = ref.split("/");
        await host.patch({ providerOverride: provider, modelOverride: rest.join("/") });
        modelNote = ` Model: ${ref}.`;
      }
      return `New session started.${modelNote}`;
    }
    case "model": {
      if (!args || args === "status") return `Current model: ${await host.currentModel()}`;
      if (args === "list") {
        const catalog = Object.keys(modelCatalog(host.config, host.agentId));
        const aliases = modelAliases(host.config, host.agentId);
        const refs = [...new Set([...catalog, ...configuredModelRefs(host.config)])];
        if (!refs.length)
          return `Current model: ${await host.currentModel()}\nNo model allowlist configured (agents.defaults.models); any provider/model ref is accepted.`;
        const byRef = Object.fromEntries(Object.entries(aliases).map(([alias, ref]) => [ref, alias]));
        const current = await host.currentModel();
        return `Models:\n${refs.map((ref) => `- ${ref}${byRef[ref] ? ` (alias ${byRef[ref]})` : ""}${ref === current ? " ← current" : ""}`).join("\n")}`;
      }
      try {
        // `/model <ref>@<profileId>` also pins an auth profile for this session
        const at = args.lastIndexOf("@");
        const profileId = at > 0 ? args.slice(at + 1).trim() : undefined;
        const ref = resolveModelInput(at > 0 ? args.slice(0, at) : args, host.config, host.agentId);
        await host.patch({
          providerOverride: ref.provider,
          modelOverride: ref.model,
          authProfileOverride: profileId || undefined,
        });
        return `Model set to ${formatModelRef(ref)}${profileId ? ` (auth profile ${profileId})` : ""} for this session.`;
      } catch (error) {
        return error instanceof ModelRefError ? error.message : String(error);
      }
    }
    case "think": {
      if (!args)
        return `Thinking level: ${(await host.entry())?.thinkingLevel ?? host.config.agents?.defaults?.thinkingDefault ?? "off"}`;
      const level = args.toLowerCase() === "on" ? "low" : args.toLowerCase();
      if (!isThinkingLevel(level))
        return `Unknown thinking level "${args}". Use one of: ${THINKING_LEVELS.join(", ")}.`;
      await host.patch({ thinkingLevel: level });
      return `Thinking level set to ${level}.`;
    }
    case "verbose": {
      const current = (await host.entry())?.verboseLevel ?? "off";
      const next = args ? args.toLowerCase() : current === "off" ? "on" : "off";
      if (!["on", "off", "full"].includes(next))
        return `Unknown verbose level "${args}". Use on, off or full.`;
      await host.patch({ verboseLevel: next });
      return `Verbose ${next}.`;
    }
    case "stop": {
      const { aborted, cleared, subagents = 0 } = host.stop();
      if (!aborted && !cleared && !subagents) return "Nothing to stop.";
      return `Stopped.${aborted ? " The current reply was aborted." : ""}${cleared ? ` ${cleared} queued message${cleared === 1 ? "" : "s"} cleared.` : ""}${subagents ? ` ${subagents} sub-agent${subagents === 1 ? "" : "s"} stopped.` : ""}`;
    }
    case "compact": {
      const result = await host.compact(args || undefined);
      return result.compacted
        ? `Compacted: ~${formatTokens(result.tokensBefore)} → ~${formatTokens(result.tokensAfter)} tokens of context.`
        : `Nothing to compact (${result.reason ?? "conversation too short"}).`;
    }
    case "usage": {
      const entry = await host.entry();
      if (["off", "tokens", "full", "cost"].includes(args.toLowerCase())) {
        await host.patch({ responseUsage: args.toLowerCase() });
        return `Usage footer: ${args.toLowerCase()}.`;
      }
      return `Usage this session: ${formatTokens(entry?.inputTokens)} input, ${formatTokens(entry?.outputTokens)} output, ${formatTokens(entry?.cacheRead)} cache read · cost $${(entry?.costTotal ?? 0).toFixed(4)}`;
    }
    case "whoami": {
      const sender = host.sender;
      return `You are ${sender?.name ? `${sender.name} ` : ""}(${sender?.channel ?? "local"}:${sender?.id ?? "operator"}). Session: ${host.sessionKey}.`;
    }
    case "queue": {
      if (!args) return `Queue mode: ${host.queueMode()}. Options: ${QUEUE_MODES.join(", ")}.`;
      const mode = normalizeQueueMode(args.split(/\s+/)[0]?.toLowerCase());
      if (!mode) return `Unknown queue mode "${args}". Use one of: ${QUEUE_MODES.join(", ")}.`;
      await host.patch({ queueMode: mode });
      return `Queue mode set to ${mode}.`;
    }
    case "approve":
      return approveCommand(args, host);
    case "exec": {
      const entry = await host.entry();
      const configured = (host.config.tools as { exec?: { host?: string; node?: string } } | undefined)?.exec;
      const node = entry?.execNode ?? configured?.node;
      if (!args)
        return `Exec: host ${entry?.execHost ?? configured?.host ?? "gateway"}${node ? ` · node ${node}` : ""}.`;
      const { parseExecCommand } = await import("../approvals/exec-routing.js");
      const parsed = parseExecCommand(args);
      if ("error" in parsed) return parsed.error;
      await host.patch(parsed.patch);
      return `Exec for this session: ${Object.entries(parsed.patch)
        .map(([key, value]) => `${key}=${value ?? "(default)"}`)
        .join(" ")}.`;
    }
    default:
      return `Unknown command /${command.name}.`;
  }
}
