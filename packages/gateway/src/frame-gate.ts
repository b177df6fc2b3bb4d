import { Duplex } from "node:stream";
import { DepthScanner, MAX_FRAME_DEPTH } from "./frame-limits.js";

/** A text message refused for its nesting: the request id when it came before the excess. */
export interface TooDeep {
  id?: string;
  /** The size its first frame declared (bytes). */
  declaredBytes: number;
}

export interface FrameGateOptions {
  /** The message size ws accepts (its `maxPayload`): a bigger message goes to ws untouched, which closes 1009. */
  maxPayload: number;
  maxDepth?: number;
}

/** One held or passed range of a socket chunk. */
interface Slice {
  buffer: Buffer;
  start: number;
  end: number;
}

type FrameKind = "text" | "other" | "drop";

const MAX_HEADER_BYTES = 14;

/**
 * The stream `ws` reads a client's socket through (ws takes any Duplex for `handleUpgrade`). It
 * follows the WebSocket framing of what the client sends and scans each text message's nesting
 * as its bytes arrive (unmasking on the fly, nothing copied): a text message is held here until
 * it is complete and only then handed to ws, so one nested beyond the bound is dropped as soon as
 * the bound is crossed, usually in its first packet, and the rest of it is discarded as it
 * arrives. ws never buffers, joins, unmasks or validates a refused message (joining 10 MB of
 * fresh memory alone blocked the event loop ~30–50 ms), and the connection stays usable.
 * Everything else passes unchanged as it arrives: control frames (also those between the frames
 * of a held message), binary messages, and what ws refuses anyway (oversize, bad framing: from
 * there on everything passes and ws closes the connection).
 * Writes go to the socket as they are; `bufferedAmount` still counts what the socket has not sent.
 */
export class FrameGate extends Duplex {
  private readonly maxDepth: number;
  private readonly maxPayload: number;
  private passthrough = false;
  /** Header bytes split across chunks. */
  private pendingHeader: Buffer | undefined;
  // the frame being read
  private kind: FrameKind = "other";
  private payloadLeft = 0;
  private payloadRead = 0;
  private mask: Uint8Array | undefined;
  private fin = false;
  private control = false;
  // the message being read
  private message: "none" | "text" | "binary" = "none";
  private messageBytes = 0;
  private firstFrameBytes = 0;
  private refusing = false;
  private scanner: DepthScanner | undefined;
  /** A text message's frames until it is complete. */
  private held: Slice[] | undefined;
  private output: Slice[] = [];
  private refusals: TooDeep[] = [];
  private tooDeepListener: ((refused: TooDeep) => void) | undefined;

  constructor(
    private readonly socket: Duplex,
    options: FrameGateOptions,
  ) {
    super({ allowHalfOpen: true });
    this.maxDepth = options.maxDepth ?? MAX_FRAME_DEPTH;
    this.maxPayload = options.maxPayload;
    socket.on("data", (chunk: Buffer) => this.receive(chunk));
    socket.on("end", () => {
      this.flushHeld();
      this.pushOutput();
      this.push(null);
    });
    socket.on("error", (error) => this.destroy(error));
    socket.on("close", () => this.destroy());
  }

  /** Called for each text message refused for its nesting (set once, by the connection). */
  onTooDeep(listener: (refused: TooDeep) => void): void {
    this.tooDeepListener = listener;
  }

  /** Bytes read from the socket (including what the HTTP parser read past the upgrade request). */
  receive(chunk: Buffer): void {
    if (this.passthrough) {
      if (!this.push(chunk)) this.socket.pause();
      return;
    }
    let position = 0;
    while (position < chunk.length && !this.passthrough) {
      position = this.payloadLeft > 0 ? this.readPayload(chunk, position) : this.readHeader(chunk, position);
    }
    if (this.passthrough && position < chunk.length) this.emitSlice(chunk, position, chunk.length);
    this.pushOutput();
    const refusals = this.refusals;
    this.refusals = [];
    for (const refused of refusals) this.tooDeepListener?.(refused);
  }

  /** Reads one frame header from `position`; returns where its payload starts (or the chunk's end). */
  private readHeader(chunk: Buffer, position: number): number {
    const pending = this.pendingHeader;
    const available = chunk.subarray(position, position + MAX_HEADER_BYTES);
    const bytes = pending ? Buffer.concat([pending, available]) : available;
    const header = parseHeader(bytes);
    if (!header) {
      this.pendingHeader = Buffer.from(bytes);
      return chunk.length;
    }
    this.pendingHeader = undefined;
    const kind = this.frameKind(header);
    if (this.passthrough) {
      // this header and everything after it go to ws, which refuses them
      if (pending) this.emitSlice(pending, 0, pending.length);
      return position;
    }
    const used = header.length - (pending?.length ?? 0);
    this.kind = kind;
    this.control = header.opcode >= 0x8;
    this.fin = header.fin;
    this.mask = header.mask;
    this.payloadLeft = header.payloadLength;
    this.payloadRead = 0;
    if (kind !== "drop") {
      if (pending) this.emitSlice(pending, 0, pending.length);
      this.emitSlice(chunk, position, position + used);
    }
    if (header.payloadLength === 0) this.frameDone();
    return position + used;
  }

  /** Where a frame's bytes go; switches to passthrough on anything ws itself refuses. */
  private frameKind(header: Header): FrameKind {
    const { opcode } = header;
    // unmasked, reserved bits (no extension is negotiated), absurd length: ws closes the connection
    if (!header.mask || header.rsv !== 0 || header.payloadLength > Number.MAX_SAFE_INTEGER)
      return this.passAll();
    if (opcode >= 0x8)
      return opcode <= 0xa && header.fin && header.payloadLength <= 125 ? "other" : this.passAll();
    if (opcode === 0x1 || opcode === 0x2) {
      if (this.message !== "none") return this.passAll();
      this.message = opcode === 0x1 ? "text" : "binary";
      if (opcode === 0x2) return "other";
      this.messageBytes = 0;
      this.firstFrameBytes = header.payloadLength;
      this.refusing = false;
      this.scanner = new DepthScanner(this.maxDepth);
      this.held = [];
    } else if (opcode !== 0x0 || this.message === "none") return this.passAll();
    if (this.message === "binary") return "other";
    this.messageBytes += header.payloadLength;
    if (this.messageBytes > this.maxPayload) return this.passAll();
    // an empty fragment before the last carries nothing: not held (a stream of them would pile up)
    if (this.refusing || (opcode === 0x0 && header.payloadLength === 0 && !header.fin)) return "drop";
    return "text";
  }

  private passAll(): FrameKind {
    this.flushHeld();
    this.passthrough = true;
    return "other";
  }

  private readPayload(chunk: Buffer, position: number): number {
    const end = Math.min(chunk.length, position + this.payloadLeft);
    if (this.kind === "text" && !this.scanner!.scan(chunk, position, end, this.mask, this.payloadRead))
      this.refuse();
    if (this.kind !== "drop") this.emitSlice(chunk, position, end);
    this.payloadRead += end - position;
    this.payloadLeft -= end - position;
    if (this.payloadLeft === 0) this.frameDone();
    return end;
  }

  /** The text message is nested too deeply: drop what was held of it, discard the rest. */
  private refuse(): void {
    this.refusing = true;
    this.kind = "drop";
    const id = this.scanner!.requestId();
    const declaredBytes = this.firstFrameBytes;
    this.refusals.push(id === undefined ? { declaredBytes } : { id, declaredBytes });
    this.held = undefined;
  }

  /** A frame's payload is complete: a message's last frame hands it to ws (unless refused). */
  private frameDone(): void {
    if (this.control || !this.fin) return;
    if (this.message === "text") this.flushHeld();
    this.message = "none";
    this.scanner = undefined;
    this.refusing = false;
  }

  private flushHeld(): void {
    if (this.held) for (const slice of this.held) this.output.push(slice);
    this.held = undefined;
  }

  /** Where a frame's bytes go: held with its message, or to ws now (control frames never wait). */
  private emitSlice(buffer: Buffer, start: number, end: number): void {
    if (start === end) return;
    const target = this.held && !this.control ? this.held : this.output;
    const last = target[target.length - 1];
    if (last && last.buffer === buffer && last.end === start) last.end = end;
    else target.push({ buffer, start, end });
  }

  private pushOutput(): void {
    const output = this.output;
    if (output.length === 0) return;
    this.output = [];
    let flowing = true;
    for (const { buffer, start, end } of output)
      flowing = this.push(start === 0 && end === buffer.length ? buffer : buffer.subarray(start, end));
    if (!flowing) this.socket.pause();
  }

  override _read(): void {
    this.socket.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.socket.write(chunk, callback);
  }

  override _writev(
    chunks: { chunk: Buffer; encoding: BufferEncoding }[],
    callback: (error?: Error | null) => void,
  ): void {
    const socket = this.socket;
    socket.cork();
    for (let index = 0; index < chunks.length - 1; index++) socket.write(chunks[index]!.chunk);
    socket.write(chunks[chunks.length - 1]!.chunk, callback);
    socket.uncork();
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.socket.end(() => callback());
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.socket.destroyed) this.socket.destroy();
    callback(error);
  }

  /** ws calls these on the socket it is given (no idle timeout, no Nagle). */
  setTimeout(ms: number): this {
    (this.socket as { setTimeout?: (ms: number) => unknown }).setTimeout?.(ms);
    return this;
  }

  setNoDelay(noDelay = true): this {
    (this.socket as { setNoDelay?: (noDelay: boolean) => unknown }).setNoDelay?.(noDelay);
    return this;
  }
}

interface Header {
  fin: boolean;
  rsv: number;
  opcode: number;
  mask: Uint8Array | undefined;
  payloadLength: number;
  /** Bytes of the header itself. */
  length: number;
}

/** RFC 6455 §5.2 frame header at the start of `bytes`, or undefined when more bytes are needed. */
function parseHeader(bytes: Buffer): Header | undefined {
  if (bytes.length < 2) return undefined;
  const first = bytes[0]!;
  const second = bytes[1]!;
  let length = 2;
  let payloadLength = second & 0x7f;
  if (payloadLength === 126) {
    if (bytes.length < 4) return undefined;
    payloadLength = bytes.readUInt16BE(2);
    length = 4;
  } else if (payloadLength === 127) {
    if (bytes.length < 10) return undefined;
    payloadLength = bytes.readUInt32BE(2) * 2 ** 32 + bytes.readUInt32BE(6);
    length = 10;
  }
  const masked = (second & 0x80) !== 0;
  if (masked && bytes.length < length + 4) return undefined;
  const mask = masked ? Uint8Array.from(bytes.subarray(length, length + 4)) : undefined;
  return {
    fin: (first & 0x80) !== 0,
    rsv: first & 0x70,
    opcode: first & 0x0f,
    mask,
    payloadLength,
    length: length + (masked ? 4 : 0),
  };
}
