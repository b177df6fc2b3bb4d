/** Merge header records left to right; later values win, `undefined` removes nothing. */
export function combineHeaders(
  ...records: Array<Record<string, string | undefined> | undefined>
): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const record of records) {
    if (!record) continue;
    for (const [name, value] of Object.entries(record)) {
      if (value !== undefined) out[name.toLowerCase()] = value;
    }
  }
  return out;
}

/** Bytes or URL of an image part as base64 (no data: prefix). */
export function toBase64(data: string | Uint8Array | URL): string {
  if (data instanceof URL) {
    const match = /^data:[^;]+;base64,(.*)$/.exec(data.href);
    if (match) return match[1] as string;
    throw new Error(`image URL ${data.href} must be fetched before sending to this provider`);
  }
  if (typeof data === "string") {
    const match = /^data:[^;]+;base64,(.*)$/.exec(data);
    return match ? (match[1] as string) : data;
  }
  return Buffer.from(data).toString("base64");
}
