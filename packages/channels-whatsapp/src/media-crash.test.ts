// An image message journaled, then kill -9 before its reply: the journal keeps the media
// reference (with its key), never the bytes, so the restarted gateway downloads it again.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  FakeWhatsAppServer,
  fakeMediaBytes,
  type GatewayChild,
  spawnGatewayChild,
  whatsappSocketFactory,
  whatsappUpsert,
} from "@openclaw/testkit";
import { afterEach, beforeEach, expect, it } from "vitest";
import { whatsappAuthDir } from "./auth-store.js";
import { loginWhatsApp } from "./login.js";

const here = path.dirname(fileURLToPath(import.meta.url));
let fake: FakeWhatsAppServer;
let stateDir: string;
const children: GatewayChild[] = [];
beforeEach(async () => {
  fake = await new FakeWhatsAppServer().start();
  stateDir = await mkdtemp(path.join(tmpdir(), "openclaw-wa-media-"));
  await loginWhatsApp({
    authDir: whatsappAuthDir(stateDir, "default"),
    socketFactory: whatsappSocketFactory(fake.url) as never,
    onQr: () => fake.scanQr(),
  });
});
afterEach(async () => {
  for (const { child } of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await fake.close();
  await rm(stateDir, { recursive: true, force: true });
});

const gateway = (hang: boolean) => {
  const child = spawnGatewayChild(
    path.join(here, "__fixtures__/crash-child.ts"),
    { WA_URL: fake.url, STATE_DIR: stateDir, HANG: hang ? "1" : "0" },
    path.join(here, "../../.."),
  );
  children.push(child);
  return child;
};

it("an image whose turn was cut by kill -9 is downloaded again after the restart and answered once", async () => {
  const photo = Buffer.from(fakeMediaBytes("image/jpeg", 5000)).toString("base64");
  const first = gateway(true);
  await first.line((l) => l === "ready");
  fake.inject(
    whatsappUpsert("image", { media: fake.uploadMedia(Buffer.from(photo, "base64")), text: "et ça ?" }),
  );
  await first.line((l) => l === "turn:et ça ?");
  await first.line((l) => l === `image:image/jpeg:${photo}`);
  first.child.kill("SIGKILL");
  await first.exited;
  expect(fake.sent).toHaveLength(0);

  const second = gateway(false);
  await second.line((l) => l === `image:image/jpeg:${photo}`);
  await fake.waitForSent(1);
  second.child.kill("SIGTERM");
  await second.exited;
  expect(fake.sent.map((s) => s.text)).toEqual(["echo: et ça ?"]);
  expect(fake.mediaDownloads).toHaveLength(2);
}, 30_000);
