// Test-only helpers that read the real OpenClaw captures copied from shared/reference/openclaw-wire.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export const fixturesDir = import.meta.dirname;

export interface CapturedFrame {
  file: string;
  dir: "c2s" | "s2c";
  text: string;
}

export interface CapturedClose {
  file: string;
  code: number;
  reason: string;
}

/** Every text frame recorded in the .jsonl captures (probe-* use `frame`, frames-cli-* use `data`). */
export function capturedFrames(): CapturedFrame[] {
  const out: CapturedFrame[] = [];
  for (const file of readdirSync(fixturesDir).filter((name) => name.endsWith(".jsonl"))) {
    out.push(...captureFile(file).frames);
  }
  return out;
}

export function captureFile(file: string): { frames: CapturedFrame[]; closes: CapturedClose[] } {
  const frames: CapturedFrame[] = [];
  const closes: CapturedClose[] = [];
  for (const line of readFileSync(join(fixturesDir, file), "utf8").split("\n")) {
    if (!line.trim()) continue;
    const record = JSON.parse(line) as {
      dir: string;
      frame?: string;
      data?: string;
      code?: number;
      reason?: string;
    };
    if (record.dir === "c2s" || record.dir === "s2c") {
      frames.push({ file, dir: record.dir, text: (record.frame ?? record.data)! });
    } else if (record.dir === "close") {
      if (record.frame !== undefined) {
        const close = JSON.parse(record.frame) as { code: number; reason: string };
        closes.push({ file, ...close });
      } else if (record.code !== undefined) closes.push({ file, code: record.code, reason: record.reason ?? "" });
    }
  }
  return { frames, closes };
}

export function helloOkSample(): unknown {
  return JSON.parse(readFileSync(join(fixturesDir, "hello-ok.sample.json"), "utf8"));
}
