import type { CoreMethods } from "../methods/context.js";
import { imageAttachments, mediaMaxBytes } from "./attachments.js";
import { trackRun } from "./runs.js";

/** `chat.*`: the operator's chat with a session (WebChat, the Control UI, `openclaw tui`). */
export const chatMethods = {
  "chat.send": async (params, ctx) => {
    // bad attachments are refused before the message is taken
    const images = imageAttachments(params.attachments, mediaMaxBytes(ctx.config()));
    const assistant = await ctx.assistant();
    const handle = assistant.submit({
      sessionKey: params.sessionKey,
      text: params.message,
      idempotencyKey: params.idempotencyKey,
      ...(params.thinking ? { thinking: params.thinking } : {}),
      ...(images.length ? { images } : {}),
    });
    trackRun(assistant, handle.result);
    return { runId: handle.messageId, status: handle.duplicate ? "in_flight" : "started" };
  },

  "chat.history": async (params, ctx) => {
    const assistant = await ctx.assistant();
    const messages = await assistant.history(
      params.sessionKey,
      params.limit !== undefined ? { limit: params.limit } : {},
    );
    // answer with the canonical key (`main` → `agent:main:main`), as the events carry it
    return { sessionKey: assistant.sessions.resolveKey(params.sessionKey), messages };
  },

  "chat.abort": async (params, ctx) => {
    const assistant = await ctx.assistant();
    return { ok: true, ...assistant.abort(params.sessionKey, params.runId || undefined) };
  },

  "chat.inject": async (params, ctx) => {
    const assistant = await ctx.assistant();
    const result = await assistant.inject(
      params.sessionKey,
      params.message,
      params.label ? { label: params.label } : {},
    );
    return { ok: true, ...result };
  },
} satisfies CoreMethods;
