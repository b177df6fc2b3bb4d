import { ProviderError } from "@openclaw/protocol/model";
import { sessionExecConfig } from "../approvals/exec-routing.js";
import type { FailoverCandidate } from "../models/failover.js";
import { formatModelRef } from "../models/model-ref.js";
import type { ToolsRuntimeConfig } from "../tools/types.js";
import { invalidateBootstrapCache } from "../workspace/workspace.js";
import { callModel, replyText } from "./model-call.js";
import { toModelMessages } from "./model-messages.js";
import type { StreamedReply } from "./model-stream.js";
import { runTool, type ToolCall } from "./tool-execution.js";
import type { Turn } from "./turn-state.js";

export interface ToolLoopOptions {
  /** Compact the transcript now (a context-length error is retried once after compacting). */
  compact(reason: string, force: boolean): Promise<{ compacted: boolean }>;
  /** The memory-flush turn: this prompt first, nothing reaches chat, the reply is not the turn's. */
  flushPrompt?: string;
}

/** The tool calls of one model reply, in order; the transcript gets each result. */
async function runToolCalls(turn: Turn, calls: ToolCall[], silentFlush: boolean): Promise<void> {
  const { deps, input, progress, events } = turn;
  for (const call of calls) {
    if (turn.callSignal.aborted) {
      await events.record({
        type: "tool-result",
        toolCallId: call.id,
        name: call.name,
        result: "Aborted before the tool ran.",
        isError: true,
        quiet: true,
      });
      continue;
    }
    if (!silentFlush) {
      progress.toolCallsMade.push({ name: call.name, arguments: call.arguments });
      events.report({ type: "tool-start", toolCallId: call.id, name: call.name, args: call.arguments });
    }
    const result = await runTool(call, {
      deps,
      agentId: input.agentId,
      sessionKey: input.sessionKey,
      toolsByName: turn.toolsByName,
      knownTools: turn.knownTools,
      workspaceDir: turn.workspaceDir,
      toolsConfig: sessionExecConfig(deps.config.tools as ToolsRuntimeConfig | undefined, turn.entry),
      signal: turn.callSignal,
      skillEnv: turn.skillEnv,
    });
    if (call.name === "write" || call.name === "edit" || call.name === "exec")
      invalidateBootstrapCache(turn.workspaceDir);
    await events.record({
      type: "tool-result",
      toolCallId: call.id,
      name: call.name,
      result: result.content,
      isError: result.isError,
      details: result.details,
      quiet: silentFlush,
    });
  }
}

/** Sum a reply's usage into the turn and remember its text (not for the memory flush). */
function recordReply(turn: Turn, reply: StreamedReply, candidate: FailoverCandidate, silentFlush: boolean) {
  const { progress } = turn;
  const usage = reply.message.usage;
  progress.usedModel = formatModelRef(candidate.ref);
  progress.totals.input += usage.input;
  progress.totals.output += usage.output;
  progress.totals.cacheRead += usage.cacheRead;
  progress.totals.cacheWrite += usage.cacheWrite;
  progress.totals.cost += usage.cost.total;
  if (silentFlush) return;
  progress.lastAssistant = reply.message;
  const text = replyText(reply);
  if (text.trim()) progress.finalText = text;
}

/**
 * The tool loop: call the model with the transcript, run the tool calls it asks for, feed steered
 * messages in, until a reply asks for no tool (or `maxSteps` model calls).
 */
export async function runToolLoop(turn: Turn, options: ToolLoopOptions): Promise<void> {
  const { deps, input, progress } = turn;
  const transcript = progress.transcript;
  const silentFlush = options.flushPrompt !== undefined;
  if (options.flushPrompt !== undefined)
    await turn.events.record({ type: "user-message", text: options.flushPrompt });
  let contextRetried = false;
  for (let step = 0; step < (deps.maxSteps ?? 32); step++) {
    let called: Awaited<ReturnType<typeof callModel>>;
    try {
      called = await callModel(turn, toModelMessages(transcript.context()), {
        tools: turn.toolSpecs,
        quiet: silentFlush,
      });
    } catch (error) {
      if (ProviderError.isInstance(error) && error.kind === "context_length" && !contextRetried) {
        contextRetried = true;
        if ((await options.compact("context_length", true)).compacted) {
          step--;
          continue;
        }
      }
      throw error;
    }
    const { reply, candidate } = called;
    await turn.events.record({ type: "assistant-message", message: reply.message });
    recordReply(turn, reply, candidate, silentFlush);
    await runToolCalls(turn, reply.toolCalls, silentFlush);
    if (turn.callSignal.aborted)
      throw new ProviderError(
        input.signal.aborted ? "aborted" : "timeout",
        input.signal.aborted ? "The run was aborted" : `The run timed out after ${turn.timeoutMs / 1000} s`,
      );
    const steered = silentFlush ? [] : (input.drainSteered?.() ?? []);
    for (const text of steered) await turn.events.record({ type: "user-message", text });
    if (reply.toolCalls.length === 0 && steered.length === 0) return;
  }
  if (!silentFlush) progress.finalText ||= "(stopped: too many tool steps in one turn)";
}
