// Preloaded into the soak bench's gateway (NODE_OPTIONS=--import): samples the event-loop delay
// and, once `<OPENCLAW_BENCH_LOOP_FILE>.start` exists, appends the cumulative figures since then
// every 5 s (milliseconds; values include the 10 ms sampling interval).
import { appendFileSync, existsSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";

const file = process.env.OPENCLAW_BENCH_LOOP_FILE;
if (file) {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  let started = false;
  setInterval(() => {
    if (!started) {
      if (!existsSync(`${file}.start`)) return;
      histogram.reset();
      started = true;
      return;
    }
    const ms = (ns) => ns / 1e6;
    appendFileSync(
      file,
      `${JSON.stringify({
        pid: process.pid,
        at: Date.now(),
        p50: ms(histogram.percentile(50)),
        p99: ms(histogram.percentile(99)),
        max: ms(histogram.max),
        ...process.memoryUsage(),
      })}\n`,
    );
  }, 5_000).unref();
}
