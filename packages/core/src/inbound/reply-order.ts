/** A place in a session's line of replies, taken when the message is handed to the assistant. */
export interface ReplyPlace {
  /** Settles when every earlier place of the session is delivered (this reply is next). */
  readonly ready: Promise<void>;
  /**
   * Deliver this place's reply: after every earlier place of the session, or at once with
   * `immediate` (a command's answer); later places still wait for this one and the earlier ones.
   * Resolves when the delivery is done. Only the first call of a place counts.
   */
  deliver(send: () => Promise<void>, options?: { immediate?: boolean }): Promise<void>;
}

/**
 * Per-session order of what reaches a chat. Messages are handed to the assistant as they arrive
 * (so `/stop`, the other commands and the queue modes act while a reply is being written); each
 * takes a place in its session's line when handed over, and its reply goes out once every
 * earlier reply of that session is out. An unsolicited reply (a sub-agent's announce) queues
 * behind every place taken so far, so the turn that started the helper is always answered first.
 */
export class ReplyOrder {
  private readonly tails = new Map<string, Promise<void>>();

  /** Sessions with a reply still waiting or being delivered. */
  get size(): number {
    return this.tails.size;
  }

  /** The promises `idle()` waits for. */
  pending(): Promise<void>[] {
    return [...this.tails.values()];
  }

  reserve(sessionKey: string): ReplyPlace {
    const previous = this.tails.get(sessionKey) ?? Promise.resolve();
    let open!: (send: Promise<void>) => void;
    const own = new Promise<Promise<void>>((resolve) => {
      open = resolve;
    });
    const done = own.then((send) => send).catch(() => undefined);
    this.setTail(
      sessionKey,
      Promise.all([previous, done]).then(() => undefined),
    );
    let given = false;
    return {
      ready: previous,
      deliver(send, options = {}) {
        if (given) return Promise.resolve();
        given = true;
        const sending = options.immediate ? send() : previous.then(send);
        open(sending);
        return sending;
      },
    };
  }

  /** Deliver after every place of the session taken so far. */
  after(sessionKey: string, send: () => Promise<void>): Promise<void> {
    return this.reserve(sessionKey).deliver(send);
  }

  private setTail(sessionKey: string, tail: Promise<void>) {
    this.tails.set(sessionKey, tail);
    void tail.then(() => {
      if (this.tails.get(sessionKey) === tail) this.tails.delete(sessionKey);
    });
  }
}
