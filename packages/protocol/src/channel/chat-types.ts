/** Chat kinds a channel can deliver. `direct` is a one-to-one DM. */
export const CHAT_TYPES = ["direct", "group", "channel", "thread"] as const;
export type ChatType = (typeof CHAT_TYPES)[number];
