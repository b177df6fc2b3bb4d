// An image message journaled, then kill -9 before its reply: the journal keeps the media
// reference (with its key), never the bytes, so the restarted gateway downloads it again.
import { fakeMediaBytes, whatsappUpsert } from "@openclaw/testkit";
import { expect, it } from "vitest";
import { useCrashHarness } from "./__fixtures__/crash-harness.js";

const harness = useCrashHarness("openclaw-wa-media-");
const gateway = (hang: boolean) => harness.gateway(hang);

it("an image whose turn was cut by kill -9 is downloaded again after the restart and answered once", async () => {
  const photo = Buffer.from(fakeMediaBytes("image/jpeg", 5000)).toString("base64");
  const first = gateway(true);
  await first.line((l) => l === "ready");
  harness.fake.inject(
    whatsappUpsert("image", {
      media: harness.fake.uploadMedia(Buffer.from(photo, "base64")),
      text: "et ça ?",
    }),
  );
  await first.line((l) => l === "turn:et ça ?");
  await first.line((l) => l === `image:image/jpeg:${photo}`);
  first.child.kill("SIGKILL");
  await first.exited;
  expect(harness.fake.sent).toHaveLength(0);

  const second = gateway(false);
  await second.line((l) => l === `image:image/jpeg:${photo}`);
  await harness.fake.waitForSent(1);
  second.child.kill("SIGTERM");
  await second.exited;
  expect(harness.fake.sent.map((s) => s.text)).toEqual(["echo: et ça ?"]);
  expect(harness.fake.mediaDownloads).toHaveLength(2);
}, 30_000);
