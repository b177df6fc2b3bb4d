import { iterateStreamParts } from "@openclaw/protocol";
import { openaiChatReply, startFakeOpenAI } from "@openclaw/testkit";
import { type Benchmark, median } from "../../../bench/harness.js";
import { createOpenAI } from "../src/index.js";

const DELTAS = 20_000;
const deltas = Array.from({ length: DELTAS }, (_, index) => `token${index % 100} `);
const reply = openaiChatReply({ text: deltas });
const payload = reply.type === "stream" ? reply.chunks.join("") : "";
const encoded = new TextEncoder().encode(payload);

/** A fetch that answers from memory in 16 KiB reads, so only parsing is measured. */
const memoryFetch: typeof fetch = async () => {
  let offset = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= encoded.length) return controller.close();
      controller.enqueue(encoded.subarray(offset, offset + 16_384));
      offset += 16_384;
    },
  });
  return new Response(body, { headers: { "content-type": "text/event-stream" } });
};

async function drain(model: ReturnType<ReturnType<typeof createOpenAI>["chat"]>): Promise<number> {
  const result = await model.doStream({
    messages: [{ role: "user", content: [{ type: "text", text: "go" }] }],
  });
  let parts = 0;
  for await (const _ of iterateStreamParts(result.stream)) parts++;
  return parts;
}

const benchmark: Benchmark = {
  name: "providers-openai stream",
  async run() {
    const memoryModel = createOpenAI({
      baseURL: "http://memory.invalid/v1",
      apiKey: "k",
      fetch: memoryFetch,
    }).chat("m");
    await drain(memoryModel);
    const memoryRates: number[] = [];
    for (let round = 0; round < 5; round++) {
      const start = performance.now();
      const parts = await drain(memoryModel);
      memoryRates.push(parts / ((performance.now() - start) / 1000));
    }

    const fake = await startFakeOpenAI();
    const httpRates: number[] = [];
    try {
      const httpModel = createOpenAI({ baseURL: fake.baseURL, apiKey: "k" }).chat("m");
      // Whole payload in 64 KiB writes: measures socket + parse, not the fake's per-write pacing.
      const big = { ...reply, splitEvery: 65_536 } as typeof reply;
      for (let round = 0; round < 3; round++) {
        fake.enqueue(big);
        const start = performance.now();
        const parts = await drain(httpModel);
        httpRates.push(parts / ((performance.now() - start) / 1000));
      }
    } finally {
      await fake.close();
    }
    return [
      {
        name: "chat SSE parse (in-memory body)",
        value: Math.round(median(memoryRates)),
        unit: "parts/s",
        lowerIsBetter: false,
        note: `${DELTAS} text deltas, ${(encoded.length / 1e6).toFixed(1)} MB`,
      },
      {
        name: "chat SSE over loopback HTTP",
        value: Math.round(median(httpRates)),
        unit: "parts/s",
        lowerIsBetter: false,
      },
    ];
  },
};
export default benchmark;
