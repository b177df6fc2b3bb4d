import { chunkForChannel } from "../format/chunk.js";
import { markdownToIR } from "../format/markdown-to-ir.js";
import { accountConfigOf } from "./inbound-routing.js";
import type { InboxEntry } from "./inbox-journal.js";
import type { ChannelTarget, PipelineContext } from "./types.js";

export interface DraftStreamer {
  /** The reply text so far (called as the model writes). */
  update(textSoFar: string): void;
  /** Stop editing and wait for the last edit in flight. */
  settle(): Promise<void>;
}

/**
 * Edit-in-place streaming (`channels.<id>.streamMode: "partial"` on channels with edits): the
 * first partial text is posted as a draft (a journaled send like any other), later partials edit
 * it at most every `streamEditIntervalMs` (default 1000), and delivery turns the draft into the
 * first chunk of the final reply with one last edit. Undefined when the account does not stream.
 */
export function createDraftStreamer(
  context: PipelineContext,
  entry: InboxEntry,
  target: ChannelTarget,
): DraftStreamer | undefined {
  const { plugin, account } = target;
  const { journal, logger } = context;
  const message = entry.message;
  const config = accountConfigOf(context.getConfig(), message);
  if (config.streamMode !== "partial" || !plugin.capabilities.edits || !plugin.outbound.editText)
    return undefined;
  const interval = typeof config.streamEditIntervalMs === "number" ? config.streamEditIntervalMs : 1_000;
  const id = `${entry.key}:draft`;
  let latest = "";
  let shown = "";
  let lastEditAt = 0;
  let chain: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const renderDraft = (text: string) => {
    // The draft shows the reply so far, formatted, cut to one message (the final delivery chunks it).
    const [first] = chunkForChannel(
      markdownToIR(text),
      plugin.capabilities.maxTextLength - 2,
      (c) => plugin.outbound.render(c).text.length,
    );
    return plugin.outbound.render(first ?? { text, spans: [] });
  };
  /** Post the draft; false when an earlier attempt may have posted it already (no duplicate). */
  const postDraft = async (text: string): Promise<boolean> => {
    if (entry.attempted.has(id)) return false;
    // intent journaled when the request leaves (after the channel's throttle queue), as in delivery
    const onDispatch = async () => {
      if (entry.attempted.has(id)) return;
      entry.attempted.add(id);
      await journal.recordAttempt(entry.key, id);
    };
    if (!plugin.capabilities.reportsDispatch) await onDispatch();
    const sent = await plugin.outbound.sendText({
      accountId: message.accountId,
      account,
      to: message.chat.id,
      chunk: renderDraft(text),
      idempotencyKey: id,
      onDispatch,
      ...(message.chat.threadId ? { threadId: message.chat.threadId } : {}),
      ...(message.chat.isForumTopic ? { isForumTopic: true } : {}),
      ...(message.chat.type !== "direct" ? { replyToMessageId: message.messageId } : {}),
    });
    entry.delivered.set(id, sent.messageId);
    context.background(journal.recordDelivered(entry.key, id, sent.messageId), "draft");
    return true;
  };
  const push = () => {
    chain = chain.then(async () => {
      const text = latest.trim();
      if (!text || text === shown) return;
      const draftId = entry.delivered.get(id);
      try {
        if (!draftId) {
          if (!(await postDraft(text))) return;
        } else
          await plugin.outbound.editText?.({
            accountId: message.accountId,
            account,
            to: message.chat.id,
            messageId: draftId,
            chunk: renderDraft(text),
          });
        shown = text;
        lastEditAt = context.now();
      } catch (error) {
        logger.debug(`draft update failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
  };
  return {
    update(textSoFar) {
      latest = textSoFar;
      if (timer) return;
      const wait = Math.max(0, lastEditAt + interval - context.now());
      if (wait === 0 && !entry.delivered.has(id) && !entry.attempted.has(id)) return push();
      timer = setTimeout(() => {
        timer = undefined;
        push();
      }, wait);
    },
    async settle() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      await chain;
    },
  };
}
