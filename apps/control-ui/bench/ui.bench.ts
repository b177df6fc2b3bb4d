// The Control UI's budget, measured the way a user meets it: the production build (initial JS,
// gzipped), Debian's Chromium against the built gateway process (first render, connected), and
// the gateway's resident memory added by five open dashboards.
// Needs the built CLI (`pnpm turbo run build --filter=@openclaw/cli...`) and /usr/bin/chromium.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { type Benchmark, type BenchResult, currentRss, median } from "../../../bench/harness.js";
import { buildUi, launchBrowser } from "../src/test-support.js";

const cli = fileURLToPath(new URL("../../openclaw/dist/cli.js", import.meta.url));
const TOKEN = "ui-bench-token-0123456789abcdef";
const SETTLE_MS = Number(process.env.OPENCLAW_BENCH_UI_SETTLE_MS ?? 3000);
const DASHBOARDS = 5;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Gzipped bytes of the JS index.html loads before anything is shown (entry + modulepreloads). */
function initialJs(root: string): { bytes: number; files: string[] } {
  const html = readFileSync(join(root, "index.html"), "utf8");
  const files = [
    ...html.matchAll(/<(?:script[^>]*src|link[^>]*rel="modulepreload"[^>]*href)="\.?\/?([^"]+\.js)"/g),
  ].map((match) => match[1]!);
  const bytes = files.reduce((sum, file) => sum + gzipSync(readFileSync(join(root, file))).length, 0);
  return { bytes, files };
}

async function startGateway(
  uiRoot: string,
): Promise<{ child: ChildProcess; port: number; stop(): Promise<void> }> {
  const home = mkdtempSync(join(tmpdir(), "openclaw-ui-bench-"));
  mkdirSync(join(home, "state"), { recursive: true });
  writeFileSync(
    join(home, "state", "openclaw.json"),
    JSON.stringify({
      gateway: { mode: "local", auth: { mode: "token", token: TOKEN }, controlUi: { root: uiRoot } },
    }),
  );
  const port = await freePort();
  const child = spawn(process.execPath, [cli, "gateway", "--port", String(port)], {
    env: { PATH: process.env.PATH, HOME: home, OPENCLAW_STATE_DIR: join(home, "state"), NO_COLOR: "1" },
    stdio: "ignore",
  });
  for (;;) {
    const ready = await fetch(`http://127.0.0.1:${port}/ready`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) break;
    if (child.exitCode !== null) throw new Error(`gateway exited with ${child.exitCode}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return {
    child,
    port,
    async stop() {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
      rmSync(home, { recursive: true, force: true });
    },
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, SETTLE_MS));

/** `openclaw tui` start → its screen drawn, in a tmux pseudo-terminal (median of 5 runs, ms). */
async function tuiFirstPaint(port: number): Promise<number | undefined> {
  const tmux = (...args: string[]) =>
    execFileSync("tmux", ["-L", `openclaw-bench-${process.pid}`, "-f", "/dev/null", ...args], {
      encoding: "utf8",
    });
  try {
    tmux("-V");
  } catch {
    return undefined;
  }
  const home = mkdtempSync(join(tmpdir(), "openclaw-tui-bench-"));
  const times: number[] = [];
  try {
    for (let run = 0; run < 5; run++) {
      const started = performance.now();
      tmux(
        "new-session",
        "-d",
        "-s",
        `t${run}`,
        "-x",
        "100",
        "-y",
        "30",
        "env",
        `HOME=${home}`,
        `OPENCLAW_STATE_DIR=${home}`,
        "NO_COLOR=1",
        process.execPath,
        cli,
        "tui",
        "--url",
        `ws://127.0.0.1:${port}`,
        "--token",
        TOKEN,
      );
      while (!tmux("capture-pane", "-p", "-t", `t${run}`).includes("OpenClaw"))
        await new Promise((resolve) => setTimeout(resolve, 2));
      times.push(performance.now() - started);
      tmux("kill-session", "-t", `t${run}`);
    }
  } finally {
    try {
      tmux("kill-server");
    } catch {}
    rmSync(home, { recursive: true, force: true });
  }
  return median(times);
}

const benchmark: Benchmark = {
  name: "control-ui",
  async run(): Promise<BenchResult[]> {
    const uiRoot = await buildUi();
    const { bytes, files } = initialJs(uiRoot);
    const gateway = await startGateway(uiRoot);
    const browser = await launchBrowser();
    let closed = false;
    try {
      await settle();
      const idle = currentRss(gateway.child.pid!) ?? 0;
      const renders: number[] = [];
      const connects: number[] = [];
      // first render and connect, each on a fresh page (the first warms the browser's caches of the binary, not the page)
      for (let run = 0; run < 4; run++) {
        const page = await browser.context.newPage();
        await page.goto(`http://127.0.0.1:${gateway.port}/#token=${TOKEN}`);
        await page.locator('[data-link="connected"]').waitFor({ timeout: 15_000 });
        const marks = await page.evaluate(() => ({
          render: performance.getEntriesByName("openclaw:first-render")[0]?.startTime ?? -1,
          connected: performance.getEntriesByName("openclaw:connected")[0]?.startTime ?? -1,
        }));
        if (run > 0) {
          renders.push(marks.render);
          connects.push(marks.connected);
        }
        await page.close();
      }
      await settle();
      const before = currentRss(gateway.child.pid!) ?? 0;
      const pages = [];
      for (let index = 0; index < DASHBOARDS; index++) {
        const page = await browser.context.newPage();
        await page.goto(`http://127.0.0.1:${gateway.port}/#/health`);
        await page.locator('[data-link="connected"]').waitFor({ timeout: 15_000 });
        pages.push(page);
      }
      await settle();
      const after = currentRss(gateway.child.pid!) ?? 0;
      for (const page of pages) await page.close();
      // the TUI is timed without the browser competing for the CPU
      await browser.close();
      closed = true;
      const tui = await tuiFirstPaint(gateway.port);
      return [
        ...(tui === undefined
          ? []
          : [
              {
                name: "openclaw tui first paint",
                value: Math.round(tui),
                unit: "ms",
                lowerIsBetter: true,
                note: "target < 300 ms (tmux; CLI start → screen drawn)",
              },
            ]),
        {
          name: "control-ui initial JS (gzip)",
          value: Math.round(bytes / 102.4) / 10,
          unit: "KB",
          lowerIsBetter: true,
          note: `target ≤ 100 KB; ${files.length} file(s)`,
        },
        {
          name: "control-ui first render",
          value: Math.round(median(renders)),
          unit: "ms",
          lowerIsBetter: true,
          note: "target ≤ 500 ms (Chromium, navigation start → shell on screen)",
        },
        {
          name: "control-ui connected",
          value: Math.round(median(connects)),
          unit: "ms",
          lowerIsBetter: true,
          note: "navigation start → hello-ok (device-signed connect)",
        },
        {
          name: `gateway RSS added by ${DASHBOARDS} dashboards`,
          value: Math.round((after - before) / 1024 / 102.4) / 10,
          unit: "MB",
          lowerIsBetter: true,
          note: "target ≤ 10 MB, after a first dashboard loaded the WebSocket side (OpenClaw users report 200–600 MB per connect)",
        },
        {
          name: `gateway RSS idle → ${DASHBOARDS} dashboards`,
          value: Math.round((after - idle) / 1024 / 102.4) / 10,
          unit: "MB",
          lowerIsBetter: true,
          note: "includes what the first connection loads (ws, protocol, the method table)",
        },
      ];
    } finally {
      if (!closed) await browser.close();
      await gateway.stop();
      rmSync(uiRoot, { recursive: true, force: true });
    }
  },
};

export default benchmark;
