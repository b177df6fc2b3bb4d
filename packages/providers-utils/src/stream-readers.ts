import { ProviderError } from "@openclaw/protocol/model";
import { createParser, type EventSourceMessage } from "eventsource-parser";

/** Server-sent events of a response body, one at a time. */
export async function* readServerSentEvents(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<EventSourceMessage> {
  const pending: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (event) => pending.push(event) });
  const decoder = new TextDecoder();
  const reader = body.getReader();
  let finished = false;
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.feed(decoder.decode(value, { stream: true }));
      while (pending.length > 0) yield pending.shift() as EventSourceMessage;
    }
    // An event cut off before its blank line is discarded (as the SSE spec says), so a truncated
    // body surfaces as an incomplete stream rather than half an event.
    parser.feed(decoder.decode());
    while (pending.length > 0) yield pending.shift() as EventSourceMessage;
    finished = true;
  } finally {
    if (!finished) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

/** JSON values of a newline-delimited JSON body. A line that is not JSON throws `invalid_response`. */
export async function* readJsonLines(
  body: ReadableStream<Uint8Array>,
  provider: string,
): AsyncGenerator<unknown> {
  const decoder = new TextDecoder();
  const reader = body.getReader();
  let buffer = "";
  let finished = false;
  const parse = (line: string) => {
    try {
      return JSON.parse(line) as unknown;
    } catch {
      throw new ProviderError(
        "invalid_response",
        `${provider} sent a malformed stream line: ${line.slice(0, 200)}`,
        {
          provider,
        },
      );
    }
  };
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let newline = buffer.indexOf("\n");
      while (newline !== -1) {
        const line = buffer.slice(0, newline).trim();
        buffer = buffer.slice(newline + 1);
        if (line !== "") yield parse(line);
        newline = buffer.indexOf("\n");
      }
    }
    buffer += decoder.decode();
    if (buffer.trim() !== "") yield parse(buffer.trim());
    finished = true;
  } finally {
    if (!finished) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

/** Parse one SSE `data` payload as JSON; malformed data throws `invalid_response`. */
export function parseEventData(data: string, provider: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    throw new ProviderError(
      "invalid_response",
      `${provider} sent malformed SSE data: ${data.slice(0, 200)}`,
      {
        provider,
      },
    );
  }
}
