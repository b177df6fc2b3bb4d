// The kill -9 tests' shared setup: a fake WhatsApp server, a state dir with a linked account, and
// `gateway(hang)` to spawn crash-child.ts against them (hang: the model never answers, so the
// test can kill the child mid-turn). Registers its own beforeEach/afterEach.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { FakeWhatsAppServer, type GatewayChild, spawnGatewayChild, whatsappSocketFactory } from "@openclaw/testkit";
import { afterEach, beforeEach } from "vitest";
import { whatsappAuthDir } from "../auth-store.js";
import { loginWhatsApp } from "../login.js";

const here = path.dirname(fileURLToPath(import.meta.url));

export interface CrashHarness {
  readonly fake: FakeWhatsAppServer;
  readonly stateDir: string;
  gateway(hang: boolean): GatewayChild;
}

export function useCrashHarness(prefix: string): CrashHarness {
  let fake: FakeWhatsAppServer;
  let stateDir: string;
  const children: GatewayChild[] = [];
  beforeEach(async () => {
    fake = await new FakeWhatsAppServer().start();
    stateDir = await mkdtemp(path.join(tmpdir(), prefix));
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
  return {
    get fake() {
      return fake;
    },
    get stateDir() {
      return stateDir;
    },
    gateway(hang) {
      const child = spawnGatewayChild(
        path.join(here, "crash-child.ts"),
        { WA_URL: fake.url, STATE_DIR: stateDir, HANG: hang ? "1" : "0" },
        path.join(here, "../../../.."),
      );
      children.push(child);
      return child;
    },
  };
}
