import { type FileHandle, mkdir, open, readFile, rename } from "node:fs/promises";
import path from "node:path";
import type { InboundMessage } from "@openclaw/protocol";

/** A reply the agent produced for an inbound message (journaled before delivery). */
export interface ReplyPayload {
  text?: string;
  mediaUrl?: string;
  mediaUrls?: string[];
  replyToId?: string;
}

export type InboxOutcome = "replied" | "dropped" | "failed" | "uncertain" | "empty";

type JournalRecord =
  | { e: "in"; k: string; at: number; m: InboundMessage }
  | { e: "reply"; k: string; p: ReplyPayload[] }
  | { e: "send"; k: string; id: string }
  | { e: "sent"; k: string; id: string; mid: string }
  | { e: "close"; k: string; o: InboxOutcome; r?: string }
  | { e: "seen"; k: string };

/** An inbound message that has been journaled and not yet closed. */
export interface InboxEntry {
  key: string;
  receivedAt: number;
  message: InboundMessage;
  replies?: ReplyPayload[];
  /** Idempotency keys whose send was attempted (intent written before the vendor call). */
  attempted: Set<string>;
  /** Idempotency key → vendor message id, for chunks known delivered. */
  delivered: Map<string, string>;
}

/** Dedupe key of an inbound message: channel + account + chat + the channel's message id. */
export function inboxKey(
  message: Pick<InboundMessage, "channel" | "accountId" | "messageId" | "chat">,
): string {
  return `${message.channel}:${message.accountId}:${message.chat.id}:${message.messageId}`;
}

export interface InboxJournalOptions {
  /** Journal file (JSONL). Created with 0600 in a 0700 directory. */
  file: string;
  /** How many closed keys to remember for dedupe across compactions. Default 10 000. */
  rememberClosed?: number;
  /** Compact after this many closed entries. Default 2 000. */
  compactEvery?: number;
  /** fsync each batch (default true). Tests of crash safety rely on it. */
  fsync?: boolean;
}

/**
 * Durable inbox: an append-only JSONL file. Appends are batched (one write + fdatasync per batch),
 * so `append` resolves only once the record is on disk. The reader tolerates a torn last line.
 */
export class InboxJournal {
  private handle: FileHandle | undefined;
  private readonly open = new Map<string, InboxEntry>();
  private readonly closed: string[] = [];
  private readonly closedSet = new Set<string>();
  private pending: { line: string; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private flushing: Promise<void> | undefined;
  private closedSinceCompact = 0;
  private compactRequested = false;
  private readonly rememberClosed: number;
  private readonly compactEvery: number;
  private readonly fsync: boolean;

  private constructor(
    private readonly file: string,
    options: InboxJournalOptions,
  ) {
    this.rememberClosed = options.rememberClosed ?? 10_000;
    this.compactEvery = options.compactEvery ?? 2_000;
    this.fsync = options.fsync ?? true;
  }

  static async open(options: InboxJournalOptions): Promise<InboxJournal> {
    const journal = new InboxJournal(options.file, options);
    await mkdir(path.dirname(options.file), { recursive: true, mode: 0o700 });
    await journal.load();
    journal.handle = await open(options.file, "a", 0o600);
    return journal;
  }

  private async load(): Promise<void> {
    let raw = "";
    try {
      raw = await readFile(this.file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
      throw error;
    }
    for (const line of raw.split("\n")) {
      if (!line.trim()) continue;
      let record: JournalRecord;
      try {
        record = JSON.parse(line) as JournalRecord;
      } catch {
        continue; // torn last line after a crash
      }
      this.apply(record);
    }
  }

  private apply(record: JournalRecord): void {
    switch (record.e) {
      case "in":
        if (!this.closedSet.has(record.k) && !this.open.has(record.k))
          this.open.set(record.k, {
            key: record.k,
            receivedAt: record.at,
            message: record.m,
            attempted: new Set(),
            delivered: new Map(),
          });
        break;
      case "reply": {
        const entry = this.open.get(record.k);
        if (entry) entry.replies = record.p;
        break;
      }
      case "send":
        this.open.get(record.k)?.attempted.add(record.id);
        break;
      case "sent":
        this.open.get(record.k)?.delivered.set(record.id, record.mid);
        break;
      case "close":
      case "seen":
        this.open.delete(record.k);
        this.remember(record.k);
        break;
    }
  }

  private remember(key: string) {
    if (this.closedSet.has(key)) return;
    this.closedSet.add(key);
    this.closed.push(key);
    if (this.closed.length > this.rememberClosed) {
      const old = this.closed.shift();
      if (old !== undefined) this.closedSet.delete(old);
    }
  }

  /** True when the message was seen before (open or closed). */
  has(key: string): boolean {
    return this.open.has(key) || this.closedSet.has(key);
  }

  /** Entries journaled but not closed, oldest first (what recovery processes after a crash). */
  openEntries(): InboxEntry[] {
    return [...this.open.values()].sort((a, b) => a.receivedAt - b.receivedAt);
  }

  get(key: string): InboxEntry | undefined {
    return this.open.get(key);
  }

  /** Journal a new inbound message. Resolves `false` (nothing written) for a duplicate. */
  async receive(message: InboundMessage, now: number): Promise<{ key: string; duplicate: boolean }> {
    const key = inboxKey(message);
    if (this.has(key)) return { key, duplicate: true };
    const record: JournalRecord = { e: "in", k: key, at: now, m: message };
    this.apply(record);
    await this.write(record);
    return { key, duplicate: false };
  }

  async recordReplies(key: string, payloads: ReplyPayload[]): Promise<void> {
    await this.record({ e: "reply", k: key, p: payloads });
  }

  async recordAttempt(key: string, idempotencyKey: string): Promise<void> {
    await this.record({ e: "send", k: key, id: idempotencyKey });
  }

  async recordDelivered(key: string, idempotencyKey: string, messageId: string): Promise<void> {
    await this.record({ e: "sent", k: key, id: idempotencyKey, mid: messageId });
  }

  async close(key: string, outcome: InboxOutcome, reason?: string): Promise<void> {
    await this.record(
      reason ? { e: "close", k: key, o: outcome, r: reason } : { e: "close", k: key, o: outcome },
    );
    this.closedSinceCompact++;
    if (this.closedSinceCompact >= this.compactEvery) this.compactRequested = true;
  }

  private async record(record: JournalRecord): Promise<void> {
    this.apply(record);
    await this.write(record);
  }

  private write(record: JournalRecord): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ line: `${JSON.stringify(record)}\n`, resolve, reject });
      if (!this.flushing) this.flushing = this.flush();
    });
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0 || this.compactRequested) {
      if (this.compactRequested) {
        // Compaction runs inside the flush loop so no append can hit a handle being swapped.
        this.compactRequested = false;
        try {
          await this.rewrite();
        } catch {
          // keep appending to the old file; compaction is retried after the next batch of closes
        }
        continue;
      }
      const batch = this.pending;
      this.pending = [];
      try {
        const handle = this.handle;
        if (!handle) throw new Error("inbox journal is closed");
        await handle.write(batch.map((b) => b.line).join(""));
        if (this.fsync) await handle.datasync();
        for (const b of batch) b.resolve();
      } catch (error) {
        for (const b of batch) b.reject(error);
      }
    }
    this.flushing = undefined;
  }

  /** Rewrite the file with open entries and the remembered closed keys (temp + fsync + rename). */
  async compact(): Promise<void> {
    this.compactRequested = true;
    if (!this.flushing) this.flushing = this.flush();
    await this.flushing;
  }

  private async rewrite(): Promise<void> {
    const lines: string[] = [];
    for (const key of this.closed) lines.push(JSON.stringify({ e: "seen", k: key }));
    for (const entry of this.open.values()) {
      lines.push(JSON.stringify({ e: "in", k: entry.key, at: entry.receivedAt, m: entry.message }));
      if (entry.replies) lines.push(JSON.stringify({ e: "reply", k: entry.key, p: entry.replies }));
      for (const id of entry.attempted) lines.push(JSON.stringify({ e: "send", k: entry.key, id }));
      for (const [id, mid] of entry.delivered)
        lines.push(JSON.stringify({ e: "sent", k: entry.key, id, mid }));
    }
    const tmp = `${this.file}.${process.pid}.tmp`;
    const out = await open(tmp, "w", 0o600);
    try {
      await out.write(lines.length ? `${lines.join("\n")}\n` : "");
      await out.sync();
    } finally {
      await out.close();
    }
    await this.handle?.close();
    await rename(tmp, this.file);
    this.handle = await open(this.file, "a", 0o600);
    this.closedSinceCompact = 0;
  }

  async dispose(): Promise<void> {
    await this.flushing;
    await this.handle?.close();
    this.handle = undefined;
  }
}
