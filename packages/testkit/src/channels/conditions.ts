/**
 * Conditions over a fake server's state that tests await: `wait(check)` resolves once `check()`
 * holds, re-checked each time the fake calls `notify()` after a change (a request served, a
 * message recorded, a socket opened). No polling, no sleeps.
 */
export class Conditions {
  private readonly waiting: { check: () => boolean; resolve: () => void }[] = [];

  /** `owner` names the fake in the timeout error. */
  constructor(private readonly owner: string) {}

  /** Resolves when `check()` holds; with `timeoutMs`, rejects once that much time has passed. */
  wait(check: () => boolean, timeoutMs?: number): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              this.waiting.splice(this.waiting.indexOf(waiter), 1);
              reject(new Error(`${this.owner}.waitFor timed out`));
            }, timeoutMs);
      const waiter = {
        check,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      this.waiting.push(waiter);
    });
  }

  /** Re-checks every pending condition; call after each change of the fake's state. */
  notify(): void {
    for (const waiter of [...this.waiting])
      if (waiter.check()) {
        this.waiting.splice(this.waiting.indexOf(waiter), 1);
        waiter.resolve();
      }
  }
}
