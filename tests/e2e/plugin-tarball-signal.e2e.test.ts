import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { installChannelTarball } from "./plugin-tarball.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "openclaw-tarball-signal-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

it("openclaw plugins install <packed @openclaw/channels-signal tarball>: listed as installed, its module loads with qrcode", async () => {
  const result = await installChannelTarball("signal", "qrcode", dir);
  expect(result.installed).toMatchObject({ code: 0, stderr: "" });
  expect(result.installed.stdout).toContain(
    `Installed channel plugin signal v0.1.0 in ${path.join(dir, "state/extensions/signal")}`,
  );
  expect(result.listed).toMatchObject({
    id: "signal",
    kind: "channel",
    origin: "installed",
    state: "loaded",
    channels: ["signal"],
  });
  expect(result.info.stdout).toMatch(/^status\s+ok$/m);
  expect(result.hasVendorLibrary).toBe(true);
  expect(result.hasWorkspacePackages).toBe(false);
}, 120_000);
