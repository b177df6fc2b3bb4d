import { describe, expect, it } from "vitest";
import { ReplyOrder } from "./reply-order.js";

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

describe("per-session reply order", () => {
  it("delivers replies in hand-over order; a command's answer at once; an announce after every place taken", async () => {
    const order = new ReplyOrder();
    const sent: string[] = [];
    const slow = gate();
    const first = order.reserve("s");
    const command = order.reserve("s");
    const second = order.reserve("s");
    const firstDone = first.deliver(async () => {
      await slow.opened;
      sent.push("first");
    });
    // the second reply is ready before the first: it waits
    const secondDone = second.deliver(async () => {
      sent.push("second");
    });
    // a command's answer does not wait for the reply still being written
    await command.deliver(
      async () => {
        sent.push("/status");
      },
      { immediate: true },
    );
    const announced = order.after("s", async () => {
      sent.push("announce");
    });
    expect(sent).toEqual(["/status"]);
    slow.open();
    await Promise.all([firstDone, secondDone, announced]);
    expect(sent).toEqual(["/status", "first", "second", "announce"]);
  });

  it("a failed delivery does not hold the session's later replies", async () => {
    const order = new ReplyOrder();
    const failing = order.reserve("s").deliver(async () => {
      throw new Error("channel down");
    });
    await expect(failing).rejects.toThrow("channel down");
    let delivered = false;
    await order.after("s", async () => {
      delivered = true;
    });
    expect(delivered).toBe(true);
  });

  it("sessions do not wait for each other", async () => {
    const order = new ReplyOrder();
    const slow = gate();
    const held = order.reserve("a").deliver(() => slow.opened);
    let other = false;
    await order.after("b", async () => {
      other = true;
    });
    expect(other).toBe(true);
    slow.open();
    await held;
  });
});
