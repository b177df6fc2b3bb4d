import { OpenClawError } from "@openclaw/protocol";
import { describe, expect, it } from "vitest";
import { imageAttachments, mediaMaxBytes } from "./attachments.js";

const PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
const JPEG_HEAD = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]).toString("base64");

const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return OpenClawError.isInstance(error) ? { code: error.code, message: error.message } : error;
  }
  return undefined;
};

describe("imageAttachments", () => {
  it("takes base64 images, a data: URL, and sniffs the type when the client gave none", () => {
    expect(
      imageAttachments(
        [
          { mimeType: "image/png", fileName: "a.png", content: PNG },
          { content: `data:image/png;base64,${PNG}` },
          { mimeType: "application/octet-stream", content: JPEG_HEAD },
        ],
        1024,
      ),
    ).toEqual([
      { data: PNG, mimeType: "image/png", fileName: "a.png" },
      { data: PNG, mimeType: "image/png" },
      { data: JPEG_HEAD, mimeType: "image/jpeg" },
    ]);
    expect(imageAttachments(undefined, 1024)).toEqual([]);
  });

  it("refuses what cannot go to a model, naming the attachment", () => {
    expect(refusal(() => imageAttachments([{ fileName: "x.png", content: "not base64!" }], 1024))).toEqual({
      code: "INVALID_REQUEST",
      message: "x.png: attachment content is not valid base64",
    });
    expect(refusal(() => imageAttachments([{ mimeType: "image/png" }], 1024))).toMatchObject({
      message: "attachment 1: attachment has no content",
    });
    expect(
      refusal(() => imageAttachments([{ mimeType: "image/svg+xml", content: "PHN2Zz4=" }], 1024)),
    ).toMatchObject({
      message: expect.stringMatching(/^attachment 1: image\/svg\+xml cannot be attached; only images/),
    });
    expect(
      refusal(() => imageAttachments([{ mimeType: "image/png", fileName: "big.png", content: PNG }], 32)),
    ).toMatchObject({
      message: "big.png is 70 bytes; attachments are limited to 32 bytes each (agents.defaults.mediaMaxMb)",
    });
    expect(
      refusal(() =>
        imageAttachments(
          Array.from({ length: 11 }, () => ({ mimeType: "image/png", content: PNG })),
          1024,
        ),
      ),
    ).toMatchObject({ message: "too many attachments (11); at most 10 per message" });
  });

  it("reads the cap from agents.defaults.mediaMaxMb (default 5 MB)", () => {
    expect(mediaMaxBytes({})).toBe(5 * 1024 * 1024);
    expect(mediaMaxBytes({ agents: { defaults: { mediaMaxMb: 2 } } })).toBe(2 * 1024 * 1024);
  });
});
