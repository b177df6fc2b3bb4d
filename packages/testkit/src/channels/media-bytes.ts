const MAGIC: Record<string, number[]> = {
  "image/png": [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
  "image/jpeg": [0xff, 0xd8, 0xff, 0xe0],
  "image/gif": [0x47, 0x49, 0x46, 0x38, 0x39, 0x61],
  "application/pdf": [0x25, 0x50, 0x44, 0x46, 0x2d],
};

/**
 * Bytes a fake vendor serves as an uploaded file: the type's real leading signature (so type
 * sniffing sees a PNG / JPEG / PDF), then a deterministic filler up to `size` bytes.
 */
export function fakeMediaBytes(mimeType: keyof typeof MAGIC | string, size = 256): Uint8Array {
  const head = MAGIC[mimeType] ?? [];
  const out = new Uint8Array(Math.max(size, head.length));
  out.set(head);
  for (let i = head.length; i < out.length; i++) out[i] = (i * 31 + 7) & 0xff;
  return out;
}
