import type { Benchmark, BenchResult } from "../../../bench/harness.js";
import { median } from "../../../bench/harness.js";
import { EVENTS, parseFrame, validateRequest } from "../src/index.js";

// Frames parsed + validated per second on one core: the per-message cost of the gateway's and the
// client's hot path (JSON.parse + frame schema + method/event schema).

const healthRequest = JSON.stringify({
  type: "req",
  id: "2:a5e91014-0ae1-4fd6-b6d4-200ca0f57d27",
  method: "health",
});
const chatSend = JSON.stringify({
  type: "req",
  id: "17",
  method: "chat.send",
  params: { sessionKey: "agent:main:main", message: "what is on my calendar today?", idempotencyKey: "k-17" },
});
const chatDelta = JSON.stringify({
  type: "event",
  event: "chat",
  payload: { runId: "r-1", sessionKey: "agent:main:main", seq: 42, state: "delta", deltaText: "Sure, here" },
  seq: 1042,
});
const tick = JSON.stringify({ type: "event", event: "tick", payload: { ts: 1795257055146 }, seq: 7 });
const GRANTED = new Set(["operator.admin"]);

function measure(work: () => void, runs = 5, durationMs = 400): number {
  for (let index = 0; index < 20_000; index++) work(); // warm-up (JIT)
  const rates: number[] = [];
  for (let run = 0; run < runs; run++) {
    let count = 0;
    const started = performance.now();
    let elapsed = 0;
    while (elapsed < durationMs) {
      for (let index = 0; index < 1_000; index++) work();
      count += 1_000;
      elapsed = performance.now() - started;
    }
    rates.push(count / (elapsed / 1000));
  }
  return median(rates);
}

function check(ok: boolean): void {
  if (!ok) throw new Error("benchmark frame failed to validate");
}

const benchmark: Benchmark = {
  name: "protocol frames",
  async run(): Promise<BenchResult[]> {
    const request = measure(() => {
      const parsed = parseFrame(healthRequest);
      check(
        parsed.ok &&
          parsed.frame.type === "req" &&
          validateRequest(parsed.frame.method, parsed.frame.params, GRANTED).ok,
      );
    });
    const send = measure(() => {
      const parsed = parseFrame(chatSend);
      check(
        parsed.ok &&
          parsed.frame.type === "req" &&
          validateRequest(parsed.frame.method, parsed.frame.params, GRANTED).ok,
      );
    });
    const event = measure(() => {
      const parsed = parseFrame(chatDelta);
      check(
        parsed.ok &&
          parsed.frame.type === "event" &&
          EVENTS.chat.payload.safeParse(parsed.frame.payload).success,
      );
    });
    const ticks = measure(() => {
      const parsed = parseFrame(tick);
      check(
        parsed.ok &&
          parsed.frame.type === "event" &&
          EVENTS.tick.payload.safeParse(parsed.frame.payload).success,
      );
    });
    const note = "target > 200k/s on one core";
    return [
      { name: "parse+validate req health", value: request, unit: "frames/s", lowerIsBetter: false, note },
      { name: "parse+validate req chat.send", value: send, unit: "frames/s", lowerIsBetter: false, note },
      { name: "parse+validate event chat delta", value: event, unit: "frames/s", lowerIsBetter: false, note },
      { name: "parse+validate event tick", value: ticks, unit: "frames/s", lowerIsBetter: false, note },
    ];
  },
};
export default benchmark;
