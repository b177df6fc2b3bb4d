import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { installChannelTarball } from "./plugin-tarball.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "openclaw-tarball-mattermost-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

it("openclaw plugins install <packed @openclaw/channels-mattermost tarball>: listed as installed, its module loads with @mattermost/client", async () => {
  const result = await installChannelTarball("mattermost", "@mattermost/client", dir);
  expect(result.installed).toMatchObject({ code: 0, stderr: "" });
  expect(result.installed.stdout).toContain(
    `Installed channel plugin mattermost v0.1.0 in ${path.join(dir, "state/extensions/mattermost")}`,
  );
  expect(result.listed).toMatchObject({
    id: "mattermost",
    kind: "channel",
    origin: "installed",
    state: "loaded",
    channels: ["mattermost"],
  });
  expect(result.info.stdout).toMatch(/^status\s+ok$/m);
  expect(result.hasVendorLibrary).toBe(true);
  expect(result.hasWorkspacePackages).toBe(false);
}, 120_000);
