import { randomUUID } from "node:crypto";

// Pending exec approvals: an execution host (a node, or the gateway's own exec tool) asks, the
// gateway tells operators with `operator.approvals` (`exec.approval.requested`), one of them
// decides (`exec.approval.resolve`, `openclaw approvals approve|deny`, chat `/approve`), the host
// gets the decision. Nobody deciding in time gives `null` (the host applies its askFallback).

export type ApprovalDecision = "allow-once" | "allow-always" | "deny";

export interface ApprovalRequestInput {
  command: string;
  commandArgv?: string[];
  cwd?: string | null;
  host?: string | null;
  nodeId?: string | null;
  security?: string | null;
  ask?: string | null;
  agentId?: string | null;
  resolvedPath?: string | null;
  sessionKey?: string | null;
  reason?: string | null;
  /** sha256 of the exact argv + cwd + env the approval is for (the host computes it). */
  bindingHash?: string | null;
}

export interface ApprovalEntry {
  id: string;
  request: ApprovalRequestInput;
  createdAtMs: number;
  expiresAtMs: number;
  decision: ApprovalDecision | null;
  resolvedBy: string | null;
  /** An allow-once grant handed to its host (it cannot be used again). */
  consumed?: boolean;
}

export const DEFAULT_APPROVAL_TIMEOUT_MS = 120_000;
/** Resolved entries are kept this long (a host that asked with `twoPhase` fetches the decision). */
const KEEP_RESOLVED_MS = 10 * 60_000;

export class ApprovalError extends Error {
  constructor(
    readonly code: "NOT_FOUND" | "ALREADY_RESOLVED" | "EXPIRED",
    message: string,
  ) {
    super(message);
    this.name = "ApprovalError";
  }
}

interface Slot {
  entry: ApprovalEntry;
  waiters: Set<(decision: ApprovalDecision | null) => void>;
  timer: NodeJS.Timeout;
}

export class ExecApprovalQueue {
  private readonly slots = new Map<string, Slot>();
  constructor(private readonly now: () => number = Date.now) {}

  private prune(): void {
    const cutoff = this.now() - KEEP_RESOLVED_MS;
    for (const [id, slot] of this.slots)
      if (slot.entry.expiresAtMs < cutoff || (slot.entry.decision && slot.entry.createdAtMs < cutoff)) {
        clearTimeout(slot.timer);
        this.slots.delete(id);
      }
  }

  /** Open a request; `decision` settles with the operator's answer, or null at the timeout. */
  request(input: ApprovalRequestInput, timeoutMs = DEFAULT_APPROVAL_TIMEOUT_MS, id?: string): ApprovalEntry {
    this.prune();
    const now = this.now();
    const entryId = id && !this.slots.has(id) ? id : randomUUID();
    const entry: ApprovalEntry = {
      id: entryId,
      request: input,
      createdAtMs: now,
      expiresAtMs: now + timeoutMs,
      decision: null,
      resolvedBy: null,
    };
    const slot: Slot = {
      entry,
      waiters: new Set(),
      timer: setTimeout(() => this.settle(slot, null), timeoutMs),
    };
    slot.timer.unref();
    this.slots.set(entryId, slot);
    return entry;
  }

  private settle(slot: Slot, decision: ApprovalDecision | null): void {
    clearTimeout(slot.timer);
    for (const waiter of slot.waiters) waiter(decision);
    slot.waiters.clear();
  }

  /** The decision (now if decided, else when it comes or at `timeoutMs`/expiry: null). */
  wait(id: string, timeoutMs?: number): Promise<ApprovalDecision | null> {
    const slot = this.slots.get(id);
    if (!slot) return Promise.reject(new ApprovalError("NOT_FOUND", `unknown approval id: ${id}`));
    if (slot.entry.decision || this.now() >= slot.entry.expiresAtMs)
      return Promise.resolve(slot.entry.decision);
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const waiter = (decision: ApprovalDecision | null) => {
        clearTimeout(timer);
        resolve(decision);
      };
      slot.waiters.add(waiter);
      if (timeoutMs !== undefined)
        timer = setTimeout(() => {
          slot.waiters.delete(waiter);
          resolve(slot.entry.decision);
        }, timeoutMs);
    });
  }

  resolve(id: string, decision: ApprovalDecision, resolvedBy: string): ApprovalEntry {
    const slot = this.slots.get(id);
    if (!slot) throw new ApprovalError("NOT_FOUND", `unknown approval id: ${id}`);
    if (slot.entry.decision)
      throw new ApprovalError(
        "ALREADY_RESOLVED",
        `approval ${id} was already decided (${slot.entry.decision})`,
      );
    if (this.now() >= slot.entry.expiresAtMs)
      throw new ApprovalError("EXPIRED", `approval ${id} expired before it was decided`);
    slot.entry.decision = decision;
    slot.entry.resolvedBy = resolvedBy;
    this.settle(slot, decision);
    return slot.entry;
  }

  /**
   * Hand a decided approval to the host that will run it. An allow-once grant is handed out once;
   * a second take (a replay) gets nothing.
   */
  take(id: string): ApprovalEntry | undefined {
    const slot = this.slots.get(id);
    if (!slot?.entry.decision || slot.entry.consumed) return undefined;
    if (slot.entry.decision === "allow-once") slot.entry.consumed = true;
    return { ...slot.entry, consumed: false };
  }

  get(id: string): ApprovalEntry | undefined {
    return this.slots.get(id)?.entry;
  }

  /** Requests still waiting for a decision. */
  pending(): ApprovalEntry[] {
    this.prune();
    const now = this.now();
    return [...this.slots.values()]
      .map((slot) => slot.entry)
      .filter((entry) => !entry.decision && entry.expiresAtMs > now);
  }
}

const queues = new Map<string, ExecApprovalQueue>();

/** The queue of one gateway (by state dir): its methods, exec tool and chat commands share it. */
export function approvalQueueFor(stateDir: string): ExecApprovalQueue {
  let queue = queues.get(stateDir);
  if (!queue) {
    queue = new ExecApprovalQueue();
    queues.set(stateDir, queue);
  }
  return queue;
}

/** Is this chat sender in `approvals.exec.approvers`? An empty or missing list approves nothing. */
export function isChatApprover(
  config: Record<string, unknown>,
  sender: { id?: string; channel?: string } | undefined,
): boolean {
  const approvers = ((config.approvals as { exec?: { approvers?: unknown } } | undefined)?.exec?.approvers ??
    []) as unknown[];
  if (!Array.isArray(approvers) || !sender?.id) return false;
  const candidates = new Set([sender.id, sender.channel ? `${sender.channel}:${sender.id}` : sender.id]);
  return approvers.some(
    (approver) => typeof approver === "string" && approver !== "*" && candidates.has(approver),
  );
}
