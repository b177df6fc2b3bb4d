import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import JSON5 from "json5";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CLI_VERSION } from "../version.js";
import { detectInstall, runUpdate, updateStatus } from "./update-impl.js";

// `openclaw update` on real installs: a git checkout cloned from a local "upstream" repository
// (its scripts/bootstrap.sh stands in for the build and leaves a mark), and the npm package
// installed by the real npm from a loopback registry serving a packed tarball.

let dir: string;
let saved: NodeJS.ProcessEnv;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "openclaw-update-"));
  saved = { ...process.env };
  process.env.HOME = dir;
  process.env.OPENCLAW_STATE_DIR = path.join(dir, "state");
  for (const name of ["OPENCLAW_CONFIG_PATH", "OPENCLAW_PROFILE"]) delete process.env[name];
  process.env.GIT_AUTHOR_NAME = process.env.GIT_COMMITTER_NAME = "test";
  process.env.GIT_AUTHOR_EMAIL = process.env.GIT_COMMITTER_EMAIL = "test@example.org";
  process.exitCode = undefined;
});
afterEach(async () => {
  process.env = saved;
  process.exitCode = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function capture(run: () => Promise<void>): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const write = { out: process.stdout.write, err: process.stderr.write };
  process.stdout.write = ((chunk: string | Uint8Array) =>
    out.push(String(chunk)) > 0) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) =>
    err.push(String(chunk)) > 0) as typeof process.stderr.write;
  try {
    await run();
    return { code: Number(process.exitCode ?? 0), stdout: out.join(""), stderr: err.join("") };
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
    process.exitCode = undefined;
  }
}

const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", ["-c", "init.defaultBranch=main", ...args], { cwd, encoding: "utf8" }).trim();

/** upstream (with a bootstrap script that leaves a mark) and a clone of it: the install. */
async function checkout(): Promise<{ upstream: string; install: string; commit(message: string): void }> {
  const upstream = path.join(dir, "upstream");
  await mkdir(path.join(upstream, "scripts"), { recursive: true });
  await writeFile(
    path.join(upstream, "scripts", "bootstrap.sh"),
    'echo built "$(git rev-parse --short HEAD)" >> "$(dirname "$0")/../built.log"\n',
  );
  await writeFile(path.join(upstream, ".gitignore"), "built.log\n");
  git(upstream, "init", "-q");
  git(upstream, "add", ".");
  git(upstream, "commit", "-q", "-m", "first");
  const install = path.join(dir, "install");
  git(dir, "clone", "-q", upstream, install);
  let count = 0;
  return {
    upstream,
    install,
    commit(message) {
      count += 1;
      execFileSync("sh", ["-c", `echo ${count} > change.txt`], { cwd: upstream });
      git(upstream, "add", ".");
      git(upstream, "commit", "-q", "-m", message);
    },
  };
}

describe("openclaw update, git checkout", () => {
  it("finds the checkout this CLI runs from", () => {
    const found = detectInstall();
    expect(found.kind).toBe("git");
    expect(path.resolve(found.root)).toBe(path.resolve(import.meta.dirname, "../../../.."));
  });

  it("pulls, builds, reports; status says behind before and up to date after", async () => {
    const repo = await checkout();
    repo.commit("second");
    const install = { kind: "git" as const, root: repo.install };
    const before = await capture(() => updateStatus({}, install));
    expect(before.stdout).toMatch(/Install: git checkout \(.*install\), main @ [0-9a-f]+, clean/);
    expect(before.stdout).toContain("Channel: dev");
    expect(before.stdout).toContain("Update: 1 commit(s) behind; run `openclaw update`");
    const head = git(repo.upstream, "rev-parse", "--short", "HEAD");
    const updated = await capture(() => runUpdate({ yes: true, restart: false }, install));
    expect(updated.code, updated.stderr).toBe(0);
    expect(updated.stdout).toMatch(new RegExp(`Updated [0-9a-f]+ → ${head}; building…`));
    expect(updated.stdout).toContain("Restart the gateway to use it: openclaw gateway restart");
    expect(await readFile(path.join(repo.install, "built.log"), "utf8")).toBe(`built ${head}\n`);
    expect((await capture(() => updateStatus({}, install))).stdout).toContain("Update: up to date");
    const again = await capture(() => runUpdate({ yes: true, restart: false }, install));
    expect(again.stdout).toContain(`Already up to date (${head})`);
  });

  it("refuses local changes and a missing --yes without a terminal; nothing moves", async () => {
    const repo = await checkout();
    repo.commit("second");
    const install = { kind: "git" as const, root: repo.install };
    const head = git(repo.install, "rev-parse", "HEAD");
    const noYes = await capture(() => runUpdate({}, install));
    expect(noYes.code).toBe(2);
    expect(noYes.stderr).toContain("pass --yes to update without a terminal");
    await writeFile(path.join(repo.install, "scripts", "bootstrap.sh"), "exit 1\n");
    const dirty = await capture(() => runUpdate({ yes: true, restart: false }, install));
    expect(dirty.code).toBe(1);
    expect(dirty.stderr).toContain("has local changes: commit or stash them first");
    expect(git(repo.install, "rev-parse", "HEAD")).toBe(head);
  });

  it("--channel stable checks out the newest release tag, beta a pre-release too; the channel is remembered", async () => {
    const repo = await checkout();
    repo.commit("release");
    git(repo.upstream, "tag", "v1.0.0");
    repo.commit("beta");
    git(repo.upstream, "tag", "v1.1.0-beta.1");
    repo.commit("main moves on");
    const install = { kind: "git" as const, root: repo.install };
    const stable = await capture(() => runUpdate({ yes: true, restart: false, channel: "stable" }, install));
    expect(stable.code, stable.stderr).toBe(0);
    expect(stable.stdout).toContain("(v1.0.0)");
    expect(git(repo.install, "describe", "--tags")).toBe("v1.0.0");
    const config = JSON5.parse(await readFile(path.join(dir, "state", "openclaw.json"), "utf8"));
    expect(config.update.channel).toBe("stable");
    expect((await capture(() => updateStatus({ json: true }, install))).stdout).toContain(
      '"channel": "stable"',
    );
    await capture(() => runUpdate({ yes: true, restart: false, channel: "beta" }, install));
    expect(git(repo.install, "describe", "--tags")).toBe("v1.1.0-beta.1");
    const bad = await capture(() => runUpdate({ yes: true, channel: "nightly" }, install));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown --channel "nightly" (stable, beta or dev)');
  });
});

describe("openclaw update, npm package", () => {
  let registry: Server | undefined;
  afterEach(() => registry?.close());

  /** A registry on loopback serving @openclaw/cli 9.9.9 (latest) and 10.0.0 (next, needs Node 99). */
  async function startRegistry(): Promise<string> {
    const pkg = path.join(dir, "pkg");
    await mkdir(pkg);
    await writeFile(
      path.join(pkg, "package.json"),
      JSON.stringify({ name: "@openclaw/cli", version: "9.9.9", bin: { openclaw: "cli.js" } }),
    );
    await writeFile(path.join(pkg, "cli.js"), "#!/usr/bin/env node\nconsole.log('9.9.9');\n");
    const tarball = path.join(
      dir,
      execFileSync("npm", ["pack", "--silent", "--pack-destination", dir], {
        cwd: pkg,
        encoding: "utf8",
      }).trim(),
    );
    const bytes = await readFile(tarball);
    registry = createServer((request, response) => {
      const base = `http://127.0.0.1:${(registry!.address() as { port: number }).port}`;
      if (request.url === "/@openclaw%2fcli" || request.url === "/@openclaw%2Fcli") {
        response.setHeader("content-type", "application/json");
        response.end(
          JSON.stringify({
            name: "@openclaw/cli",
            "dist-tags": { latest: "9.9.9", next: "10.0.0" },
            versions: {
              "9.9.9": {
                name: "@openclaw/cli",
                version: "9.9.9",
                bin: { openclaw: "cli.js" },
                dist: { tarball: `${base}/cli-9.9.9.tgz` },
              },
              "10.0.0": {
                name: "@openclaw/cli",
                version: "10.0.0",
                engines: { node: ">=99.0.0" },
                dist: { tarball: `${base}/cli-10.0.0.tgz` },
              },
            },
          }),
        );
      } else if (request.url === "/cli-9.9.9.tgz") response.end(bytes);
      else response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => registry!.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(registry.address() as { port: number }).port}/`;
  }

  it("status shows the available version; update installs it with npm; a Node too old for it is refused", async () => {
    process.env.npm_config_registry = await startRegistry();
    process.env.npm_config_prefix = path.join(dir, "global");
    process.env.npm_config_cache = path.join(dir, "npm-cache");
    const install = {
      kind: "npm" as const,
      root: path.join(dir, "global", "lib", "node_modules", "@openclaw", "cli"),
    };
    const status = await capture(() => updateStatus({}, install));
    expect(status.stdout).toContain("Install: npm package @openclaw/cli");
    expect(status.stdout).toContain("Channel: stable");
    expect(status.stdout).toContain("Update: 9.9.9 available; run `openclaw update`");
    const tooNew = await capture(() => runUpdate({ yes: true, restart: false, tag: "next" }, install));
    expect(tooNew.code).toBe(1);
    expect(tooNew.stderr).toContain("@openclaw/cli@10.0.0 needs Node >= 99.0.0");
    const updated = await capture(() => runUpdate({ yes: true, restart: false }, install));
    expect(updated.code, updated.stderr).toBe(0);
    expect(updated.stdout).toContain(`Updated ${CLI_VERSION} → 9.9.9.`);
    const installed = JSON.parse(await readFile(path.join(install.root, "package.json"), "utf8"));
    expect(installed.version).toBe("9.9.9");
  });
});
