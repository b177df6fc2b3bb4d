import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Benchmark, type BenchResult, median } from "../../../bench/harness.js";
import { SkillsService } from "../src/skills/service.js";

// Skills with many folders: a cold load + gating of every skill (`skills.status`), the first
// snapshot of a session (prompt section), a cached snapshot (every later turn), and the prompt
// size they add.
const SKILLS = Number(process.env.SKILLS_BENCH_SKILLS ?? 200);

async function run(): Promise<BenchResult[]> {
  const root = await mkdtemp(path.join(tmpdir(), "openclaw-skills-bench-"));
  try {
    const workspace = path.join(root, "workspace");
    for (let index = 0; index < SKILLS; index++) {
      const name = `skill-${String(index).padStart(3, "0")}`;
      const dir = path.join(workspace, "skills", name);
      await mkdir(dir, { recursive: true });
      const requires =
        index % 3 === 0 ? { bins: ["sh"] } : index % 3 === 1 ? { anyBins: ["git", "hg"] } : { env: ["HOME"] };
      await writeFile(
        path.join(dir, "SKILL.md"),
        `---\nname: ${name}\ndescription: Does task number ${index} for the user, with care and a few steps.\nmetadata: ${JSON.stringify({ openclaw: { requires } })}\n---\n${"Step.\n".repeat(40)}`,
      );
    }
    const service = new SkillsService({
      config: () => ({}),
      stateDir: path.join(root, "state"),
      workspaceDir: () => workspace,
      homeDir: root,
      watch: false,
    });
    const status: number[] = [];
    for (let round = 0; round < 5; round++) {
      const started = performance.now();
      await service.status("main");
      status.push(performance.now() - started);
    }
    const firstStarted = performance.now();
    const snapshot = await service.snapshot("agent:main:main", "main");
    const firstMs = performance.now() - firstStarted;
    const cached: number[] = [];
    for (let round = 0; round < 200; round++) {
      const started = performance.now();
      await service.snapshot("agent:main:main", "main");
      cached.push(performance.now() - started);
    }
    service.close();
    return [
      { name: `skills.status with ${SKILLS} skills`, value: median(status), unit: "ms", lowerIsBetter: true },
      { name: "session snapshot (first turn)", value: firstMs, unit: "ms", lowerIsBetter: true },
      {
        name: "session snapshot (cached, later turns)",
        value: median(cached),
        unit: "ms",
        lowerIsBetter: true,
      },
      {
        name: `skills prompt section (${snapshot.skills.length} skills)`,
        value: snapshot.prompt.length,
        unit: "chars",
        lowerIsBetter: true,
        note: `${Math.round(snapshot.prompt.length / Math.max(1, snapshot.skills.length))} chars per skill`,
      },
    ];
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

const benchmark: Benchmark = { name: "skills", run };
export default benchmark;
