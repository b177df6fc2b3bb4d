import type { AgentCommandOptions } from "./agent.js";

function fail(message: string, code = 1): void {
  process.stderr.write(`${message}\n`);
  process.exitCode = code;
}

function timeoutMs(options: AgentCommandOptions): number {
  const seconds = options.timeout ? Number(options.timeout) : 600;
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 600_000;
}

export async function runAgentCommand(options: AgentCommandOptions): Promise<void> {
  const message = options.message?.trim();
  if (!message) return fail("openclaw agent: --message must not be empty", 2);
  if (options.thinking) {
    const { isThinkingLevel, THINKING_LEVELS } = await import("@openclaw/protocol");
    if (!isThinkingLevel(options.thinking))
      return fail(
        `openclaw agent: unknown --thinking "${options.thinking}" (use ${THINKING_LEVELS.join("|")})`,
        2,
      );
  }
  if (options.local) return runLocal(message, options);
  return runThroughGateway(message, options);
}

/** Resolve `--session-id` (an id from sessions.json, or a key) to a session key. */
async function sessionKeyFor(
  options: AgentCommandOptions,
  list: () => Promise<{ key: string; sessionId: string }[]>,
): Promise<string | undefined> {
  if (options.sessionKey) return options.sessionKey;
  if (!options.sessionId) return undefined;
  if (options.sessionId.includes(":")) return options.sessionId;
  const match = (await list()).find((entry) => entry.sessionId === options.sessionId);
  if (!match) throw new Error(`no session with id ${options.sessionId} (see \`openclaw sessions\`)`);
  return match.key;
}

async function runLocal(message: string, options: AgentCommandOptions): Promise<void> {
  const { loadConfig, ConfigError } = await import("@openclaw/core/config");
  const { createAssistant } = await import("@openclaw/core");
  const { loadProviders } = await import("./models-providers.js");
  let loaded: Awaited<ReturnType<typeof loadConfig>>;
  try {
    loaded = await loadConfig({});
  } catch (error) {
    if (ConfigError.isInstance(error)) return fail(`openclaw agent: ${error.message}`);
    throw error;
  }
  const assistant = createAssistant({
    config: loaded.config as never,
    stateDir: loaded.paths.stateDir,
    ...(await loadProviders()),
  });
  try {
    let sessionKey: string | undefined;
    try {
      sessionKey = await sessionKeyFor(options, async () =>
        (await assistant.sessions.list({ agentId: options.agent })).map((row) => ({
          key: row.key,
          sessionId: row.sessionId,
        })),
      );
    } catch (error) {
      return fail(`openclaw agent: ${(error as Error).message}`);
    }
    const handle = assistant.submit({
      text: message,
      ...(sessionKey ? { sessionKey } : {}),
      ...(options.agent ? { agentId: options.agent } : {}),
      ...(options.model ? { model: options.model } : {}),
      ...(options.thinking ? { thinking: options.thinking } : {}),
      sender: { id: "cli", name: "operator", channel: "cli", authorized: true },
    });
    const timer = setTimeout(() => assistant.abort(handle.sessionKey), timeoutMs(options));
    timer.unref();
    let streamed = false;
    for await (const event of handle.events) {
      if (!options.json && event.type === "text-delta") {
        process.stdout.write(event.delta);
        streamed = true;
      }
    }
    clearTimeout(timer);
    const result = await handle.result;
    if (options.json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    } else if (result.status === "ok" || result.status === "merged" || result.status === "command") {
      if (!streamed && result.text) process.stdout.write(result.text);
      process.stdout.write("\n");
    } else if (result.status === "aborted") {
      if (streamed) process.stdout.write("\n");
      process.stderr.write(`openclaw agent: aborted${result.text ? ` (${result.text})` : ""}\n`);
    } else {
      if (streamed) process.stdout.write("\n");
      process.stderr.write(`openclaw agent: ${result.text}\n`);
    }
    if (result.status === "error" || result.status === "aborted") process.exitCode = 1;
  } finally {
    await assistant.close();
  }
}

async function runThroughGateway(message: string, options: AgentCommandOptions): Promise<void> {
  // the gateway's `agent` method has no per-turn model parameter (protocol AgentParams)
  if (options.model)
    return fail(
      "openclaw agent: --model works with --local only; through the gateway, switch the session model with `/model <ref>`",
      2,
    );
  const { resolveTarget } = await import("./gateway-local.js");
  const { openRpc, CliError } = await import("./gateway-rpc.js");
  const { randomUUID } = await import("node:crypto");
  const target = resolveTarget({ url: options.url, token: options.token, password: options.password });
  target.timeoutMs = Math.max(target.timeoutMs, 10_000);
  let rpc: Awaited<ReturnType<typeof openRpc>>;
  try {
    rpc = await openRpc(target);
  } catch (error) {
    if (error instanceof CliError)
      return fail(
        `openclaw agent: ${error.message}\nTo run without a gateway: openclaw agent --local --message "…"`,
      );
    throw error;
  }
  try {
    let sessionKey: string | undefined;
    if (options.sessionKey || options.sessionId?.includes(":"))
      sessionKey = options.sessionKey ?? options.sessionId;
    const accepted = await rpc.call<{ runId: string; sessionKey?: string }>("agent", {
      message,
      idempotencyKey: randomUUID(),
      ...(sessionKey ? { sessionKey } : {}),
      ...(options.sessionId && !sessionKey ? { sessionId: options.sessionId } : {}),
      ...(options.agent ? { agentId: options.agent } : {}),
      ...(options.thinking ? { thinking: options.thinking } : {}),
    });
    const waited = await rpc.call<{ status: string; error?: string }>("agent.wait", {
      runId: accepted.runId,
      timeoutMs: timeoutMs(options),
    });
    // the gateway answers with the canonical key it ran in; older gateways do not, so derive the
    // same canonical key (`main` → `agent:main:main`) the way the gateway and core do
    const { toAgentSessionKey } = await import("@openclaw/protocol");
    const key = accepted.sessionKey ?? toAgentSessionKey(sessionKey, options.agent);
    const history = await rpc.call<{
      messages?: { role: string; content?: { type: string; text?: string }[] }[];
    }>("chat.history", { sessionKey: key, limit: 5 });
    const last = [...(history.messages ?? [])].reverse().find((entry) => entry.role === "assistant");
    const text = (last?.content ?? [])
      .map((block) => (block.type === "text" ? (block.text ?? "") : ""))
      .join("");
    if (options.json)
      process.stdout.write(
        `${JSON.stringify({ runId: accepted.runId, sessionKey: key, ...waited, text }, null, 2)}\n`,
      );
    else if (waited.status === "ok" && !last) {
      process.stderr.write(`openclaw agent: the run ended but session ${key} has no assistant reply\n`);
      process.exitCode = 1;
    } else if (waited.status === "ok") process.stdout.write(`${text}\n`);
    else {
      process.stderr.write(`openclaw agent: ${waited.status}${waited.error ? `: ${waited.error}` : ""}\n`);
      process.exitCode = 1;
    }
  } catch (error) {
    fail(`openclaw agent: ${(error as Error).message}`);
  } finally {
    await rpc.close();
  }
}
