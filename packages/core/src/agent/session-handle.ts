import type { SessionEntry, SessionStoreLike, TranscriptStoreLike } from "./session-store.js";
import { stampEntry } from "./session-store.js";
import {
  activeBranch,
  contextMessages,
  estimateMessageTokens,
  type MessageEntry,
  type NewTranscriptEntry,
  newSessionId,
  type SessionHeader,
  type TranscriptEntry,
} from "./transcript.js";

/** A session's transcript loaded in memory: the active branch plus append-through to disk. */
export class LoadedTranscript {
  /** Entries on the active branch, root first. */
  branch: TranscriptEntry[];
  constructor(
    readonly store: TranscriptStoreLike,
    readonly header: SessionHeader,
    entries: TranscriptEntry[],
    private readonly now: () => number,
  ) {
    this.branch = activeBranch(entries);
  }

  get leafId(): string | null {
    return this.branch[this.branch.length - 1]?.id ?? null;
  }

  /**
   * Append entries (chained after the current leaf) and write them to the JSONL file. Appends
   * run one after another, so two writers (a turn and a chat command's reply) never chain to
   * the same leaf and fork the branch.
   */
  append(...entries: NewTranscriptEntry[]): Promise<TranscriptEntry[]> {
    const appended = this.appending.then(() => this.appendNow(entries));
    this.appending = appended.catch(() => undefined);
    return appended;
  }
  private appending: Promise<unknown> = Promise.resolve();

  private async appendNow(entries: NewTranscriptEntry[]): Promise<TranscriptEntry[]> {
    const stamped: TranscriptEntry[] = [];
    let parent = this.leafId;
    for (const entry of entries) {
      const full = stampEntry(entry, parent, this.now());
      stamped.push(full);
      parent = full.id;
    }
    await this.store.append(stamped, this.header);
    this.branch.push(...stamped);
    this.tokens = undefined;
    return stamped;
  }

  context(): { summary?: string; entries: MessageEntry[] } {
    return contextMessages(this.branch);
  }

  /** Estimated tokens of what the model would see now (memoized until the next append). */
  contextTokens(): number {
    if (this.tokens !== undefined) return this.tokens;
    const { summary, entries } = this.context();
    let total = summary ? Math.ceil(summary.length / 4) + 4 : 0;
    for (const entry of entries) total += estimateMessageTokens(entry.message);
    this.tokens = total;
    return total;
  }
  private tokens: number | undefined;
}

/** Loads transcripts once and keeps them warm (bounded), so each turn reads nothing from disk. */
export class TranscriptCache {
  private readonly loaded = new Map<string, Promise<LoadedTranscript>>();
  constructor(
    private readonly store: SessionStoreLike,
    private readonly now: () => number,
    private readonly limit = 5_000,
  ) {}

  get(agentId: string, entry: SessionEntry, cwd: string): Promise<LoadedTranscript> {
    const key = `${agentId}\u0000${entry.sessionId}`;
    let loaded = this.loaded.get(key);
    if (loaded) {
      // refresh LRU position
      this.loaded.delete(key);
      this.loaded.set(key, loaded);
      return loaded;
    }
    const transcript = this.store.transcript(agentId, entry);
    loaded = transcript.read().then(({ header, entries }) => {
      const resolvedHeader: SessionHeader = header ?? {
        type: "session",
        version: 3,
        id: entry.sessionId,
        timestamp: new Date(this.now()).toISOString(),
        cwd,
      };
      return new LoadedTranscript(transcript, resolvedHeader, entries, this.now);
    });
    loaded.catch(() => this.loaded.delete(key));
    this.loaded.set(key, loaded);
    if (this.loaded.size > this.limit) {
      const oldest = this.loaded.keys().next().value;
      if (oldest !== undefined) this.loaded.delete(oldest);
    }
    return loaded;
  }

  forget(agentId: string, sessionId: string): void {
    this.loaded.delete(`${agentId}\u0000${sessionId}`);
  }
}

export function freshSessionEntry(now: number, extra: Partial<SessionEntry> = {}): SessionEntry {
  return { sessionId: newSessionId(), updatedAt: now, sessionStartedAt: now, ...extra };
}
