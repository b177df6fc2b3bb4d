import { fileURLToPath } from "node:url";
import { type Benchmark, timeProcess } from "./harness.js";

const cli = fileURLToPath(new URL("../apps/openclaw/dist/cli.js", import.meta.url));

const benchmark: Benchmark = {
  name: "cli",
  async run() {
    const version = await timeProcess(process.execPath, [cli, "--version"]);
    const help = await timeProcess(process.execPath, [cli, "--help"]);
    return [
      {
        name: "openclaw --version wall",
        value: version.wallMs,
        unit: "ms",
        lowerIsBetter: true,
        note: "target < 60 ms",
      },
      { name: "openclaw --version peak RSS", value: version.peakRssMb, unit: "MB", lowerIsBetter: true },
      {
        name: "openclaw --help wall",
        value: help.wallMs,
        unit: "ms",
        lowerIsBetter: true,
        note: "target < 100 ms; OpenClaw 1.9 s",
      },
      { name: "openclaw --help peak RSS", value: help.peakRssMb, unit: "MB", lowerIsBetter: true },
    ];
  },
};
export default benchmark;
