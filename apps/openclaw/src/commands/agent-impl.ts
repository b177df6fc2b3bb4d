import type { ImageInput } from "@openclaw/core";
import type { AgentCommandOptions } from "./agent.js";

function fail(message: string, code = 1): void {
  process.stderr.write(`${message}\n`);
  process.exitCode = code;
}

function timeoutMs(options: AgentCommandOptions): number {
  const seconds = options.timeout ? Number(options.timeout) : 600;
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 600_000;
}

/** An image sent with `--attach`, as the `attachments[]` entry of `agent`. */
interface ImageAttachment {
  type: "image";
  mimeType: string;
  fileName: string;
  content: string;
}

const IMAGE_TYPES: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
};
/** Base64 grows by a third: larger images would not fit the gateway's 25 MB frame. */
const MAX_IMAGE_BYTES = 18 * 1024 * 1024;

/** The image type of a file, from its first bytes, else its extension. */
function imageTypeOf(file: string, data: Buffer): string | undefined {
  if (data.subarray(0, 4).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47]))) return "image/png";
  if (data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return "image/jpeg";
  if (data.subarray(0, 4).toString("latin1") === "GIF8") return "image/gif";
  if (data.subarray(0, 4).toString("latin1") === "RIFF" && data.subarray(8, 12).toString("latin1") === "WEBP")
    return "image/webp";
  return IMAGE_TYPES[file.split(".").pop()?.toLowerCase() ?? ""];
}

/**
 * `--attach`: text files go into the message; images (PNG, JPEG, GIF, WebP) are sent as
 * attachments (the gateway checks the size against `agents.defaults.mediaMaxMb` and the model's
 * image input); other binaries are refused.
 */
async function withAttachments(
  message: string,
  files: string[] | undefined,
): Promise<{ message: string; images: ImageAttachment[] }> {
  if (!files?.length) return { message, images: [] };
  const { readFile, stat } = await import("node:fs/promises");
  const { basename } = await import("node:path");
  const parts = [message];
  const images: ImageAttachment[] = [];
  for (const file of files) {
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) throw new Error(`--attach: ${file} is not a readable file`);
    if (info.size > MAX_IMAGE_BYTES) throw new Error(`--attach: ${file} is over 18 MB`);
    const data = await readFile(file);
    const mimeType = imageTypeOf(file, data);
    if (mimeType) {
      images.push({ type: "image", mimeType, fileName: basename(file), content: data.toString("base64") });
      continue;
    }
    if (data.includes(0) || /\.(heic|pdf|zip|gz)$/i.test(file))
      throw new Error(
        `--attach: ${file} is neither a text file nor an image (png, jpeg, gif, webp); other binaries are not supported`,
      );
    if (info.size > 256 * 1024)
      throw new Error(`--attach: ${file} is over 256 KiB (text files go into the message)`);
    parts.push(`Attached file ${basename(file)}:\n\`\`\`\n${data.toString("utf8")}\n\`\`\``);
  }
  return { message: parts.join("\n\n"), images };
}

export async function runAgentCommand(options: AgentCommandOptions): Promise<void> {
  let message = options.message?.trim();
  if (!message) return fail("openclaw agent: --message must not be empty", 2);
  if (options.thinking) {
    const { isThinkingLevel, THINKING_LEVELS } = await import("@openclaw/protocol");
    if (!isThinkingLevel(options.thinking))
      return fail(
        `openclaw agent: unknown --thinking "${options.thinking}" (use ${THINKING_LEVELS.join("|")})`,
        2,
      );
  }
  let images: ImageAttachment[];
  try {
    ({ message, images } = await withAttachments(message, options.attach));
  } catch (error) {
    return fail(`openclaw agent: ${(error as Error).message}`, 2);
  }
  if (options.local) return runLocal(message, options, images);
  return runThroughGateway(message, options, images);
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

async function runLocal(
  message: string,
  options: AgentCommandOptions,
  attachments: ImageAttachment[],
): Promise<void> {
  const { loadConfig, ConfigError } = await import("@openclaw/core/config");
  const { createAssistant, imageAttachments, mediaMaxBytes } = await import("@openclaw/core");
  const { loadProviders } = await import("./models-providers.js");
  let loaded: Awaited<ReturnType<typeof loadConfig>>;
  try {
    loaded = await loadConfig({});
  } catch (error) {
    if (ConfigError.isInstance(error)) return fail(`openclaw agent: ${error.message}`);
    throw error;
  }
  let images: ImageInput[];
  try {
    images = imageAttachments(attachments, mediaMaxBytes(loaded.config as Record<string, unknown>));
  } catch (error) {
    return fail(`openclaw agent: ${(error as Error).message}`, 2);
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
      ...(images.length ? { images } : {}),
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

interface AgentFinal {
  runId: string;
  sessionKey?: string;
  status: string;
  summary?: string;
  error?: string;
  text?: string;
  result?: { payloads?: { text?: string }[] };
}

/** The reply text of `agent`'s final answer (its payloads). */
function replyText(final: AgentFinal): string {
  const payloads = final.result?.payloads ?? [];
  return payloads.length > 0
    ? payloads.map((payload) => payload.text ?? "").join("\n\n")
    : (final.text ?? "");
}

/** `--deliver`: send the reply to the chosen chat, or the session's last chat, through `send`. */
async function deliver(
  rpc: { call<T>(method: string, params?: unknown): Promise<T> },
  options: AgentCommandOptions,
  sessionKey: string,
  text: string,
): Promise<string> {
  let channel = options.replyChannel ?? options.channel;
  let to = options.replyTo ?? options.to;
  let accountId = options.replyAccount;
  if (!channel || !to) {
    const listed = await rpc.call<{
      sessions?: { key: string; lastChannel?: string; lastTo?: string; lastAccountId?: string }[];
    }>("sessions.list", {});
    const row = listed.sessions?.find((entry) => entry.key === sessionKey);
    channel ??= row?.lastChannel;
    to ??= row?.lastTo;
    accountId ??= row?.lastAccountId;
  }
  if (!channel || !to)
    throw new Error(
      `--deliver: session ${sessionKey} has no last chat; give --channel <id> --reply-to <target>`,
    );
  const { randomUUID } = await import("node:crypto");
  await rpc.call("send", {
    channel,
    to,
    message: text,
    ...(accountId ? { accountId } : {}),
    idempotencyKey: randomUUID(),
  });
  return `${channel}:${to}`;
}

async function runThroughGateway(
  message: string,
  options: AgentCommandOptions,
  attachments: ImageAttachment[],
): Promise<void> {
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
    // `agent` answers twice: the ack, then the final answer with the reply (expectFinal)
    const final = await rpc.call<AgentFinal>(
      "agent",
      {
        message,
        idempotencyKey: randomUUID(),
        ...(attachments.length ? { attachments } : {}),
        ...(sessionKey ? { sessionKey } : {}),
        ...(options.sessionId && !sessionKey ? { sessionId: options.sessionId } : {}),
        ...(options.agent ? { agentId: options.agent } : {}),
        ...(options.thinking ? { thinking: options.thinking } : {}),
        ...(options.model ? { model: options.model } : {}),
      },
      { expectFinal: true, timeoutMs: timeoutMs(options) },
    );
    const { toAgentSessionKey } = await import("@openclaw/protocol");
    const key = final.sessionKey ?? toAgentSessionKey(sessionKey, options.agent);
    const text = replyText(final);
    let delivered: string | undefined;
    if (options.deliver && final.status === "ok" && text) delivered = await deliver(rpc, options, key, text);
    if (options.json)
      process.stdout.write(
        `${JSON.stringify({ ...final, sessionKey: key, text, ...(delivered ? { delivered } : {}) }, null, 2)}\n`,
      );
    else if (final.status === "ok") {
      process.stdout.write(`${text}\n`);
      if (delivered) process.stderr.write(`delivered to ${delivered}\n`);
    } else {
      process.stderr.write(`openclaw agent: ${final.status}${final.error ? `: ${final.error}` : ""}\n`);
      process.exitCode = 1;
    }
  } catch (error) {
    fail(`openclaw agent: ${(error as Error).message}`);
  } finally {
    await rpc.close();
  }
}
