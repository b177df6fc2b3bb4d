// Baileys itself sends WhatsApp's delivery receipt before it emits messages.upsert (see
// docs/channels.md); the read receipt is the channel's own acknowledgement and follows the journal.
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  FakeWhatsAppServer,
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
  stateDir = await mkdtemp(path.join(tmpdir(), "openclaw-wa-read-"));
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

it("the read receipt goes out only once the message is journaled: kill -9 at the receipt, the restarted gateway answers it once", async () => {
  const first = gateway(true);
  await first.line((l) => l === "ready");
  const journaledAtReceipt: boolean[] = [];
  fake.onRead = (id) => {
    // the instant WhatsApp hears "read": the message must already be on disk
    journaledAtReceipt.push(
      readFileSync(path.join(stateDir, "channels", "inbox.jsonl"), "utf8").includes(id),
    );
    first.child.kill("SIGKILL");
  };
  const upsert = whatsappUpsert("dmText", { text: "lu puis tué" });
  fake.inject(upsert);
  await first.exited;
  fake.onRead = undefined;
  expect(journaledAtReceipt).toEqual([true]);
  expect(fake.sent).toHaveLength(0);

  const second = gateway(false);
  await second.line((l) => l === "ready");
  await fake.waitForSent(1);
  fake.inject(whatsappUpsert("dmText", { text: "ensuite" }));
  await fake.waitForSent(2);
  second.child.kill("SIGTERM");
  await second.exited;
  expect(fake.sent.map((s) => s.text).sort()).toEqual(["echo: ensuite", "echo: lu puis tué"]);
}, 30_000);
