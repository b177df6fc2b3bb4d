/**
 * System events queued for a session's next turn (`wake` with mode `next-heartbeat`, cron system
 * events): in memory, at most 20 per session (oldest dropped); the same text twice in a row counts once.
 */
export class SystemEventQueue {
  private readonly events = new Map<string, string[]>();

  /** Queue `text` for the session; returns how many are waiting. */
  add(sessionKey: string, text: string): number {
    const events = this.events.get(sessionKey) ?? [];
    const clean = text.trim();
    if (clean && events.at(-1) !== clean) events.push(clean);
    if (events.length > 20) events.splice(0, events.length - 20);
    if (events.length) this.events.set(sessionKey, events);
    return events.length;
  }

  /** The session's queued events, removed. */
  take(sessionKey: string): string[] {
    const events = this.events.get(sessionKey) ?? [];
    this.events.delete(sessionKey);
    return events;
  }
}
