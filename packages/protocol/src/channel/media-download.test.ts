import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { fetchCapped, MediaTooLargeError, readCapped } from "./media-download.js";

const MB = 1024 * 1024;
let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** A server whose one route streams `size` bytes in 64 KB chunks; `sent` counts what left it. */
async function serve(size: number, withLength: boolean) {
  const stats = { sent: 0, finished: false, closed: Promise.resolve() };
  let closed: () => void = () => undefined;
  stats.closed = new Promise<void>((resolve) => (closed = resolve));
  server = createServer((_req, res: ServerResponse) => {
    res.writeHead(200, { "content-type": "image/png", ...(withLength ? { "content-length": size } : {}) });
    const chunk = Buffer.alloc(64 * 1024, 1);
    const write = () => {
      while (stats.sent < size && !res.destroyed) {
        stats.sent += chunk.length;
        if (!res.write(chunk)) return void res.once("drain", write);
      }
      if (!res.destroyed) res.end(() => (stats.finished = true));
    };
    res.on("close", closed);
    write();
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/f`, stats };
}

describe("capped media downloads", () => {
  it("reads a file under the cap whole, with the server's type", async () => {
    const { url } = await serve(256 * 1024, true);
    const file = await fetchCapped(url, {}, MB);
    expect(file.data.byteLength).toBe(256 * 1024);
    expect(file.mimeType).toBe("image/png");
  });

  it("refuses a Content-Length over the cap before reading the body", async () => {
    const { url, stats } = await serve(40 * MB, true);
    const error = await fetchCapped(url, {}, MB).catch((e: unknown) => e);
    expect(MediaTooLargeError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ sizeBytes: 40 * MB, maxBytes: MB, exact: true });
    await stats.closed;
    expect(stats.finished).toBe(false); // the 40 MB never all left the server
  });

  it("stops a body without Content-Length at the cap instead of buffering it", async () => {
    const { url, stats } = await serve(40 * MB, false);
    const error = await fetchCapped(url, {}, MB).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "MediaTooLargeError", maxBytes: MB, exact: false });
    expect((error as MediaTooLargeError).sizeBytes).toBeGreaterThan(MB);
    expect((error as MediaTooLargeError).sizeBytes).toBeLessThan(2 * MB);
    await stats.closed;
    expect(stats.finished).toBe(false);
  });

  it("says why a download failed (HTTP status), and reads async iterables too", async () => {
    server = createServer((_req, res) => res.writeHead(404, "Not Found").end());
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/gone`;
    await expect(fetchCapped(url, {}, MB)).rejects.toThrow("download failed: HTTP 404 Not Found");
    async function* parts() {
      yield new Uint8Array([1, 2]);
      yield new Uint8Array([3]);
    }
    expect([...(await readCapped(parts(), 3))]).toEqual([1, 2, 3]);
    await expect(readCapped(parts(), 2)).rejects.toMatchObject({ name: "MediaTooLargeError" });
  });
});
