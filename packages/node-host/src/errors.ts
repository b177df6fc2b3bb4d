/** What a command handler gets besides its params. */
export interface NodeCommandContext {
  nodeId: string;
  /** The invoke request id. */
  requestId: string;
  /** Aborted when the node stops. */
  signal: AbortSignal;
  log(line: string): void;
}

/** A node command: params in, JSON-serializable payload out. Throw {@link NodeCommandError} to answer an error code. */
export type NodeCommandHandler = (params: unknown, context: NodeCommandContext) => Promise<unknown>;

/** An error with a code the gateway passes on (`SYSTEM_RUN_DENIED`, `INVALID_PARAMS`, …). */
export class NodeCommandError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "NodeCommandError";
  }
}
