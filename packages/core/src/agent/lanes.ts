import PQueue from "p-queue";

/** Global lanes: `main` (chats, capped by agents.defaults.maxConcurrent), `nested` (runs started
 * by another run, e.g. sessions_send) and `subagent` (sessions_spawn). Separate lanes mean a run
 * waiting on another run can never starve it of a slot. */
export type LaneName = "main" | "nested" | "subagent";

/**
 * Lane scheduling: every job of a session runs in that session's lane (concurrency 1, FIFO),
 * and every run also holds a slot of one global lane. Idle session lanes are dropped so memory
 * stays flat.
 */
export class LaneScheduler {
  private readonly sessions = new Map<string, PQueue>();
  private readonly lanes: Record<LaneName, PQueue>;

  constructor(
    options: { maxConcurrent?: number; maxConcurrentNested?: number; maxConcurrentSubagents?: number } = {},
  ) {
    this.lanes = {
      main: new PQueue({ concurrency: Math.max(1, options.maxConcurrent ?? 8) }),
      nested: new PQueue({ concurrency: Math.max(1, options.maxConcurrentNested ?? 8) }),
      subagent: new PQueue({ concurrency: Math.max(1, options.maxConcurrentSubagents ?? 8) }),
    };
  }

  /** The `main` lane (kept for callers that watch global load). */
  get global(): PQueue {
    return this.lanes.main;
  }

  /** Run `job` in the session's lane, inside a slot of the given global lane. */
  run<T>(sessionKey: string, job: () => Promise<T>, lane: LaneName = "main"): Promise<T> {
    let queue = this.sessions.get(sessionKey);
    if (!queue) {
      queue = new PQueue({ concurrency: 1 });
      this.sessions.set(sessionKey, queue);
    }
    const current = queue;
    const global = this.lanes[lane];
    const result = current.add(() => global.add(job)) as Promise<T>;
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
    const queue = this.sessions.get(sessionKey);
    return queue ? queue.size + queue.pending : 0;
  }

  get activeSessions(): number {
    return this.sessions.size;
  }

  async idle(): Promise<void> {
    await Promise.all([...this.sessions.values()].map((queue) => queue.onIdle()));
    await Promise.all(Object.values(this.lanes).map((queue) => queue.onIdle()));
  }
}
