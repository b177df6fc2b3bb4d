/**
 * Results whose JSON text is already known: a handler that answers the same object to many
 * calls (health's one-second cache) registers the text once, and dispatch splices it into each
 * response instead of serializing the object again per call. Only for objects that are not
 * changed after they are registered.
 */
const texts = new WeakMap<object, string>();

/** Remember `value`'s JSON text (`JSON.stringify(value)`); returns `value`. */
export function withSerialized<T extends object>(value: T): T {
  texts.set(value, JSON.stringify(value));
  return value;
}

/** The JSON text registered for `value`, if any. */
export function serializedOf(value: unknown): string | undefined {
  return typeof value === "object" && value !== null ? texts.get(value) : undefined;
}

/** A successful response frame's text, the same bytes as `JSON.stringify({type, id, ok, payload})`. */
export function okResponseText(id: string, payload: unknown): string {
  const text = serializedOf(payload);
  if (text === undefined) return JSON.stringify({ type: "res", id, ok: true, payload });
  return `{"type":"res","id":${JSON.stringify(id)},"ok":true,"payload":${text}}`;
}
