import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { installChannelTarball } from "./plugin-tarball.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "openclaw-tarball-whatsapp-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

it("openclaw plugins install <packed @openclaw/channels-whatsapp tarball>: listed as installed, its module loads with baileys", async () => {
  const result = await installChannelTarball("whatsapp", "baileys", dir);
  expect(result.installed).toMatchObject({ code: 0, stderr: "" });
  expect(result.installed.stdout).toContain(
    `Installed channel plugin whatsapp v0.1.0 in ${path.join(dir, "state/extensions/whatsapp")}`,
  );
  expect(result.listed).toMatchObject({
    id: "whatsapp",
    kind: "channel",
    origin: "installed",
    state: "loaded",
    channels: ["whatsapp"],
  });
  expect(result.info.stdout).toMatch(/^status\s+ok$/m);
  expect(result.hasVendorLibrary).toBe(true);
  expect(result.hasWorkspacePackages).toBe(false);
}, 120_000);
