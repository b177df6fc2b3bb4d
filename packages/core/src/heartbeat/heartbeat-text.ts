export const HEARTBEAT_TOKEN = "HEARTBEAT_OK";
export const DEFAULT_ACK_MAX_CHARS = 300;
export const DEFAULT_HEARTBEAT_PROMPT =
  "Read HEARTBEAT.md if it exists (workspace context). Follow it strictly. Do not infer or repeat old tasks from prior chats. If nothing needs attention, reply HEARTBEAT_OK.";

/**
 * A HEARTBEAT.md with nothing to do: only blank lines, headings, HTML comments, empty list
 * items (`-`, `- [ ]`) or a parenthesised note. Such a file makes a heartbeat skip without
 * any model call.
 */
export function isEffectivelyEmpty(text: string): boolean {
  const withoutComments = text.replace(/<!--[\s\S]*?-->/g, "");
  for (const raw of withoutComments.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line) continue;
    if (/^#{1,6}(\s|$)/.test(line)) continue;
    if (/^[-*+](\s+\[[ xX]?\])?\s*$/.test(line)) continue;
    if (/^\(.*\)$/.test(line)) continue;
    return false;
  }
  return true;
}

/**
 * The reply without a leading/trailing `HEARTBEAT_OK` (also in `**…**` or backticks). `ack`
 * is true when the token was there and what is left is at most `ackMaxChars`: the reply is
 * swallowed, not delivered.
 */
export function stripHeartbeatToken(
  reply: string,
  ackMaxChars = DEFAULT_ACK_MAX_CHARS,
): { ack: boolean; text: string } {
  const token = /(?:\*\*|`)?HEARTBEAT_OK(?:\*\*|`)?[.!]?/;
  let text = reply.trim();
  let found = false;
  const start = new RegExp(`^${token.source}`);
  const end = new RegExp(`${token.source}$`);
  if (start.test(text)) {
    text = text.replace(start, "").trim();
    found = true;
  }
  if (end.test(text)) {
    text = text.replace(end, "").trim();
    found = true;
  }
  return { ack: found && text.length <= ackMaxChars, text: found ? text : reply.trim() };
}

/** Minutes since local midnight in `timeZone` (host zone when undefined). */
export function localMinutes(ms: number, timeZone?: string): number {
  const parts = new Intl.DateTimeFormat("en-GB", {
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    ...(timeZone ? { timeZone } : {}),
  }).formatToParts(new Date(ms));
  const hour = Number(parts.find((part) => part.type === "hour")?.value ?? 0);
  const minute = Number(parts.find((part) => part.type === "minute")?.value ?? 0);
  return hour * 60 + minute;
}

function parseClock(value: string): number | undefined {
  const match = /^(\d{1,2}):(\d{2})$/.exec(value.trim());
  if (!match) return undefined;
  const minutes = Number(match[1]) * 60 + Number(match[2]);
  return minutes <= 24 * 60 ? minutes : undefined;
}

/** Inside `activeHours` (`start` inclusive, `end` exclusive; a window may cross midnight). */
export function withinActiveHours(
  ms: number,
  hours: { start?: string; end?: string; timezone?: string } | undefined,
): boolean {
  if (!hours) return true;
  const start = parseClock(hours.start ?? "00:00") ?? 0;
  const end = parseClock(hours.end ?? "24:00") ?? 24 * 60;
  if (start === end) return true;
  const now = localMinutes(ms, hours.timezone);
  return start < end ? now >= start && now < end : now >= start || now < end;
}
