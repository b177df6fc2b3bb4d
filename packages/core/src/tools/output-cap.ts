/** Cap tool output for the model: keep head and tail, say how much was cut. */
export function capOutput(text: string, maxChars: number): { text: string; truncated: boolean } {
  if (text.length <= maxChars) return { text, truncated: false };
  const marker = `\n…[output truncated: ${text.length - maxChars} of ${text.length} chars omitted]…\n`;
  const budget = Math.max(0, maxChars - marker.length);
  const head = Math.ceil(budget * 0.7);
  const tail = budget - head;
  return { text: text.slice(0, head) + marker + (tail > 0 ? text.slice(-tail) : ""), truncated: true };
}
