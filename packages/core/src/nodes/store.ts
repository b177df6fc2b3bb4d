import { randomUUID } from "node:crypto";
import { readJsonState, updateJsonState } from "../state/json-file.js";
import { createFileStateStore, type StateStore } from "../state/state-store.js";

// The node pairing store (`<stateDir>/nodes/paired.json`, `nodes/pending.json`): which nodes an
// operator approved to serve commands, apart from the device pairing that lets them connect at
// all. A node's id is its device id (the gateway's record of the connection, never a claim).

/** What a node tells about itself when it asks to be paired. */
export interface NodeMetadata {
  displayName?: string;
  platform?: string;
  version?: string;
  deviceFamily?: string;
  modelIdentifier?: string;
  caps?: string[];
  commands?: string[];
  permissions?: Record<string, boolean>;
  remoteIp?: string;
}

export interface PairedNode extends NodeMetadata {
  nodeId: string;
  createdAtMs: number;
  approvedAtMs: number;
  /** Set by `node.rename` (an operator's name wins over the node's own). */
  renamed?: boolean;
  [key: string]: unknown;
}

export interface PendingNodeRequest extends NodeMetadata {
  requestId: string;
  nodeId: string;
  silent?: boolean;
  isRepair?: boolean;
  ts: number;
  [key: string]: unknown;
}

/** Pending node requests expire after this long (a node asks again on its next connect). */
export const NODE_PAIRING_TTL_MS = 10 * 60_000;

const PAIRED = "nodes/paired.json";
const PENDING = "nodes/pending.json";

type Paired = Record<string, PairedNode>;
type Pending = Record<string, PendingNodeRequest>;

export class NodePairingStore {
  private readonly state: StateStore;
  private readonly now: () => number;

  /** `state`: a `StateStore`, or the state dir (files under `<stateDir>/nodes/`). */
  constructor(state: StateStore | string, options: { now?: () => number } = {}) {
    this.state = typeof state === "string" ? createFileStateStore(state) : state;
    this.now = options.now ?? Date.now;
  }

  async paired(): Promise<Paired> {
    return readJsonState<Paired>(this.state, PAIRED, {});
  }

  async pending(): Promise<PendingNodeRequest[]> {
    const all = await readJsonState<Pending>(this.state, PENDING, {});
    const now = this.now();
    return Object.values(all).filter((request) => now - request.ts <= NODE_PAIRING_TTL_MS);
  }

  async get(nodeId: string): Promise<PairedNode | undefined> {
    return (await this.paired())[nodeId];
  }

  /**
   * A node asks to be paired. Already paired: its metadata is refreshed and `paired` comes back
   * (a restarted node re-pairs silently). Else one pending request per node (a repeat refreshes it).
   */
  async request(
    nodeId: string,
    metadata: NodeMetadata & { silent?: boolean },
  ): Promise<
    | { status: "paired"; node: PairedNode }
    | { status: "pending"; request: PendingNodeRequest; created: boolean }
  > {
    const refreshed = await updateJsonState<Paired, PairedNode | undefined>(
      this.state,
      PAIRED,
      () => ({}),
      (paired) => {
        const node = paired[nodeId];
        if (!node) return { value: paired, result: undefined, changed: false };
        const { displayName, ...rest } = metadata;
        delete (rest as { silent?: boolean }).silent;
        paired[nodeId] = { ...node, ...rest, ...(node.renamed || !displayName ? {} : { displayName }) };
        return { value: paired, result: paired[nodeId] };
      },
    );
    if (refreshed) return { status: "paired", node: refreshed };
    return updateJsonState<Pending, { status: "pending"; request: PendingNodeRequest; created: boolean }>(
      this.state,
      PENDING,
      () => ({}),
      (all) => {
        const now = this.now();
        for (const [id, request] of Object.entries(all))
          if (now - request.ts > NODE_PAIRING_TTL_MS) delete all[id];
        const existing = Object.values(all).find((request) => request.nodeId === nodeId);
        const request: PendingNodeRequest = {
          ...(existing ?? {}),
          ...metadata,
          requestId: existing?.requestId ?? randomUUID(),
          nodeId,
          ts: now,
        };
        all[request.requestId] = request;
        return { value: all, result: { status: "pending", request, created: !existing } };
      },
    );
  }

  /** Move a pending request to the paired nodes. Undefined when there is no such request. */
  async approve(requestId: string): Promise<{ request: PendingNodeRequest; node: PairedNode } | undefined> {
    const request = await this.take(requestId);
    if (!request) return undefined;
    const now = this.now();
    const { requestId: _id, ts: _ts, silent: _silent, isRepair: _repair, ...metadata } = request;
    const node = await updateJsonState<Paired, PairedNode>(
      this.state,
      PAIRED,
      () => ({}),
      (paired) => {
        paired[request.nodeId] = {
          ...metadata,
          nodeId: request.nodeId,
          createdAtMs: paired[request.nodeId]?.createdAtMs ?? now,
          approvedAtMs: now,
        };
        return { value: paired, result: paired[request.nodeId]! };
      },
    );
    return { request, node };
  }

  async reject(requestId: string): Promise<PendingNodeRequest | undefined> {
    return this.take(requestId);
  }

  private take(requestId: string): Promise<PendingNodeRequest | undefined> {
    return updateJsonState<Pending, PendingNodeRequest | undefined>(
      this.state,
      PENDING,
      () => ({}),
      (all) => {
        const request = all[requestId];
        if (!request) return { value: all, result: undefined, changed: false };
        delete all[requestId];
        return { value: all, result: request };
      },
    );
  }

  async remove(nodeId: string): Promise<boolean> {
    return updateJsonState<Paired, boolean>(
      this.state,
      PAIRED,
      () => ({}),
      (paired) => {
        if (!paired[nodeId]) return { value: paired, result: false, changed: false };
        delete paired[nodeId];
        return { value: paired, result: true };
      },
    );
  }

  async rename(nodeId: string, displayName: string): Promise<PairedNode | undefined> {
    return updateJsonState<Paired, PairedNode | undefined>(
      this.state,
      PAIRED,
      () => ({}),
      (paired) => {
        const node = paired[nodeId];
        if (!node) return { value: paired, result: undefined, changed: false };
        paired[nodeId] = { ...node, displayName, renamed: true };
        return { value: paired, result: paired[nodeId] };
      },
    );
  }
}
