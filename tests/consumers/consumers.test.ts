import { type ExecFileOptions, execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openaiChatReply, startFakeOpenAI } from "../../packages/testkit/src/index.js";

// The packages as a consumer gets them from the registry: built, packed with `pnpm pack`
// (workspace ranges rewritten, only the `files` shipped), installed with npm into a fresh
// project outside the workspace, typechecked the two ways TypeScript projects resolve modules
// (NodeNext and Bundler), and the READMEs' examples run with plain `node` against the install.

const execFileAsync = promisify(execFile);

/** execFile whose failure message carries the command's output. */
async function run(command: string, args: string[], options: ExecFileOptions = {}) {
  try {
    return await execFileAsync(command, args, { ...options, encoding: "utf8" });
  } catch (error) {
    const failure = error as Error & { stdout?: string; stderr?: string };
    throw new Error(`${failure.message}\n${failure.stdout ?? ""}${failure.stderr ?? ""}`);
  }
}
const repo = join(import.meta.dirname, "../..");
/** What the READMEs' examples install; the workspace packages they depend on are packed too. */
const PACKAGES = [
  "@openclaw/protocol",
  "@openclaw/core",
  "@openclaw/providers-utils",
  "@openclaw/providers-openai",
];
const tsc = join(repo, "node_modules/typescript/bin/tsc");

let dir: string;

/** The first ```ts block after `heading` in a markdown file. */
async function snippet(file: string, heading: string): Promise<string> {
  const text = await readFile(join(repo, file), "utf8");
  const start = text.indexOf(heading);
  expect(start, `${heading} in ${file}`).toBeGreaterThanOrEqual(0);
  const match = /```ts\n([\s\S]*?)```/.exec(text.slice(start));
  if (!match?.[1]) throw new Error(`no ts block after ${heading} in ${file}`);
  return match[1];
}

function tsconfig(compilerOptions: Record<string, unknown>) {
  return JSON.stringify({
    compilerOptions: {
      target: "ES2023",
      strict: true,
      noEmit: true,
      types: ["node"],
      typeRoots: [join(repo, "node_modules/@types")],
      ...compilerOptions,
    },
    include: ["*.ts"],
  });
}

async function typecheck(config: string): Promise<string> {
  try {
    await run(process.execPath, [tsc, "-p", config], { cwd: dir, timeout: 90_000 });
    return "";
  } catch (error) {
    return (error as Error).message;
  }
}

function node(file: string, env: NodeJS.ProcessEnv = {}) {
  return run(process.execPath, [file], {
    cwd: dir,
    timeout: 30_000,
    env: { PATH: process.env.PATH, HOME: join(dir, "home"), OPENCLAW_STATE_DIR: join(dir, "state"), ...env },
  });
}

/** The packages and, transitively, the workspace packages they depend on: name → folder. */
async function withWorkspaceDependencies(names: string[]): Promise<Map<string, string>> {
  const folders = new Map<string, string>();
  for (const parent of ["packages", "apps"])
    for (const entry of await readdir(join(repo, parent))) {
      const manifest = join(repo, parent, entry, "package.json");
      if (!existsSync(manifest)) continue;
      folders.set(JSON.parse(await readFile(manifest, "utf8")).name, join(repo, parent, entry));
    }
  const closure = new Map<string, string>();
  const queue = [...names];
  for (let name = queue.shift(); name; name = queue.shift()) {
    const folder = folders.get(name);
    if (!folder) throw new Error(`${name} is not a workspace package`);
    if (closure.has(name)) continue;
    closure.set(name, folder);
    const { dependencies = {} } = JSON.parse(await readFile(join(folder, "package.json"), "utf8"));
    for (const [dependency, range] of Object.entries(dependencies as Record<string, string>))
      if (range.startsWith("workspace:")) queue.push(dependency);
  }
  return closure;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "openclaw-consumer-"));
  const packages = await withWorkspaceDependencies(PACKAGES);
  // the built packages, as CI builds them before the tests (`pnpm build`); building here would
  // clean dist/ under the other test files that run the built CLI and gateway meanwhile
  for (const [name, folder] of packages) {
    const { main } = JSON.parse(await readFile(join(folder, "package.json"), "utf8"));
    if (!existsSync(join(folder, main))) throw new Error(`build first (pnpm build): ${name} has no ${main}`);
  }
  const tarballs = join(dir, "tarballs");
  for (const folder of packages.values())
    await run("pnpm", ["pack", "--pack-destination", tarballs], { cwd: folder });
  await mkdir(join(dir, "home"));
  await writeFile(
    join(dir, "package.json"),
    JSON.stringify({ name: "consumer", private: true, type: "module" }),
  );
  const specs = (await readdir(tarballs)).map((file) => `./tarballs/${file}`);
  // registry dependencies come from npm's cache when they are there
  await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", ...specs], {
    cwd: dir,
    timeout: 120_000,
    env: { ...process.env, npm_config_workspaces: undefined },
  });

  // the consumer's sources: the READMEs' snippets verbatim, core's shipped examples, and a bus listener
  await writeFile(join(dir, "readme-library.ts"), await snippet("README.md", "## Use it as a library"));
  await writeFile(
    join(dir, "core-readme.ts"),
    await snippet("packages/core/README.md", "## Embedding the assistant"),
  );
  for (const example of ["embed.ts", "config-and-state.ts"]) {
    await copyFile(join(dir, "node_modules/@openclaw/core/examples", example), join(dir, example));
  }
  await writeFile(
    join(dir, "bus.ts"),
    [
      'import { createAssistant, type ChatEventPayload } from "@openclaw/core";',
      "const assistant = createAssistant({ config: {} });",
      'assistant.bus.on("chat", (event: ChatEventPayload) => console.log(event.state, event.runId));',
      'assistant.bus.off("chat");',
      "await assistant.close();",
      "",
    ].join("\n"),
  );
  // a Node project as `tsc --init` makes it (no DOM types, skipLibCheck) ...
  await writeFile(
    join(dir, "tsconfig.nodenext.json"),
    tsconfig({ module: "NodeNext", moduleResolution: "NodeNext", lib: ["ES2023"], skipLibCheck: true }),
  );
  // ... and a bundled app that checks every declaration file it uses, ours included
  await writeFile(
    join(dir, "tsconfig.bundler.json"),
    tsconfig({ module: "ESNext", moduleResolution: "Bundler", lib: ["ES2023", "DOM"], skipLibCheck: false }),
  );
}, 300_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("the published packages from a consumer's project", () => {
  it("typecheck under module NodeNext and under moduleResolution Bundler", async () => {
    const [nodeNext, bundler] = await Promise.all([
      typecheck("tsconfig.nodenext.json"),
      typecheck("tsconfig.bundler.json"),
    ]);
    expect(nodeNext, "NodeNext").toBe("");
    expect(bundler, "Bundler").toBe("");
  }, 120_000);

  it("the root README's library example streams a reply from an OpenAI-compatible server", async () => {
    const fake = await startFakeOpenAI();
    try {
      fake.enqueue(openaiChatReply({ text: ["Hello", " from the fake server"] }));
      const source = await readFile(join(dir, "readme-library.ts"), "utf8");
      expect(source).toContain("http://127.0.0.1:11434/v1");
      await writeFile(
        join(dir, "readme-library.run.ts"),
        source.replace("http://127.0.0.1:11434/v1", fake.baseURL),
      );
      const { stdout } = await node("readme-library.run.ts");
      expect(stdout).toBe("Hello from the fake server");
      const request = fake.requests.find((entry) => entry.path.endsWith("/chat/completions"));
      expect(request?.body?.model).toBe("llama3.2");
    } finally {
      await fake.close();
    }
  }, 60_000);

  it("core's shipped examples run with node against the install", async () => {
    const embed = await node("embed.ts");
    expect(embed.stdout).toContain("You said: hello");
    expect(embed.stdout).toContain("[final from echo/v1]");
    expect(embed.stdout).toMatch(/Model: echo\/v1/);
    const state = await node("config-and-state.ts");
    expect(state.stdout).toMatch(/port: 18789 model: anthropic\/claude-sonnet-4-5/);
    expect(state.stdout).toMatch(/transcript entries: 1/);
  }, 60_000);
});
