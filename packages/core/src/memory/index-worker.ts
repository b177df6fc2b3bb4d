// The memory index's writer thread: opens the agent's database and applies the writes a sync
// sends (see writer.ts), one reply per write, in order. Ends when told to close.
import { parentPort, workerData } from "node:worker_threads";
import { MemoryStore } from "./store.js";
import { applyWrite, type WorkerReply, type WorkerRequest, type WorkerSetup } from "./writer.js";

const setup = workerData as WorkerSetup;
const store = new MemoryStore(setup.file, { vector: setup.vector });
const port = parentPort!;

port.on("message", (message: WorkerRequest | { close: true }) => {
  if ("close" in message) {
    store.close();
    port.close();
    return;
  }
  let reply: WorkerReply;
  try {
    applyWrite(store, message.op);
    reply = { id: message.id };
  } catch (error) {
    reply = { id: message.id, error: (error as Error)?.message ?? String(error) };
  }
  port.postMessage(reply);
});
