import PQueue from "p-queue";

/**
 * Lane scheduling: every job of a session runs in that session's lane (concurrency 1, FIFO),
 * and every run also holds a slot of the global `main` lane (capped by
 * `agents.defaults.maxConcurrent`). Idle session lanes are dropped so memory stays flat.
 */
export class LaneScheduler {
  private readonly sessions = new Map<string, PQueue>();
  readonly global: PQueue;

  constructor(options: { maxConcurrent?: number } = {}) {
    this.global = new PQueue({ concurrency: Math.max(1, options.maxConcurrent ?? 8) });
  }

  /** Run `job` in the session's lane, inside a global slot. */
  run<T>(sessionKey: string, job: () => Promise<T>): Promise<T> {
    let lane = this.sessions.get(sessionKey);
    if (!lane) {
      lane = new PQueue({ concurrency: 1 });
      this.sessions.set(sessionKey, lane);
    }
    const current = lane;
    const result = current.add(() => this.global.add(job)) as Promise<T>;
    void result
      .catch(() => {})
      .finally(() => {
        if (current.size === 0 && current.pending === 0 && this.sessions.get(sessionKey) === current)
          this.sessions.delete(sessionKey);
      });
    return result;
  }

  /** Jobs waiting or running in a session's lane. */
  depth(sessionKey: string): number {
    const lane = this.sessions.get(sessionKey);
    return lane ? lane.size + lane.pending : 0;
  }

  get activeSessions(): number {
    return this.sessions.size;
  }

  async idle(): Promise<void> {
    await Promise.all([...this.sessions.values()].map((lane) => lane.onIdle()));
    await this.global.onIdle();
  }
}
