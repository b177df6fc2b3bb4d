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
/** How much of a refused message is read and thrown away per event-loop turn. */
const DISCARD_PER_TURN = 256 * 1024;

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
 * Writes go to the socket as they are.
 */
export class FrameGate extends Duplex {
  private readonly maxPayload: number;
  private passthrough = false;
  /** Header bytes split across chunks. */
  private pendingHeader: Buffer | undefined;
  // the frame being read
  private kind: FrameKind = "other";
  private payloadLeft = 0;
  private payloadRead = 0;
  private readonly mask = new Uint8Array(4);
  private fin = false;
  private control = false;
  // the message being read
  private message: "none" | "text" | "binary" = "none";
  private messageBytes = 0;
  private firstFrameBytes = 0;
  private refusing = false;
  /** Scans the text message being read (one per connection, reset per message). */
  private readonly scanner: DepthScanner;
  /** A text message's frames until it is complete. */
  private held: Slice[] | undefined;
  /** What goes to ws at the end of this chunk: earlier ranges, then the current run. */
  private output: Slice[] = [];
  private runBuffer: Buffer | undefined;
  private runStart = 0;
  private runEnd = 0;
  private refusals: TooDeep[] | undefined;
  private discardedThisTurn = 0;
  private drainPaused = false;
  private tooDeepListener: ((refused: TooDeep) => void) | undefined;

  constructor(
    private readonly socket: Duplex,
    options: FrameGateOptions,
  ) {
    super({ allowHalfOpen: true });
    this.scanner = new DepthScanner(options.maxDepth ?? MAX_FRAME_DEPTH);
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
      if (this.payloadLeft > 0) position = this.readPayload(chunk, position);
      else {
        const next =
          this.pendingHeader || this.message !== "none" ? -1 : this.wholeTextFrame(chunk, position);
        position = next >= 0 ? next : this.readHeader(chunk, position);
      }
    }
    if (this.passthrough && position < chunk.length) this.emitSlice(chunk, position, chunk.length);
    this.pushOutput();
    const refusals = this.refusals;
    if (!refusals) return;
    this.refusals = undefined;
    for (const refused of refusals) this.tooDeepListener?.(refused);
  }

  /**
   * The common case without bookkeeping: a whole one-frame text message at `position`, scanned
   * and passed (or dropped) at once. Returns where it ends, or -1 when the general path applies.
   */
  private wholeTextFrame(chunk: Buffer, position: number): number {
    const available = chunk.length - position;
    // FIN + text opcode, no reserved bits; masked, length < 126 or a 16-bit length
    if (available < 6 || chunk[position] !== 0x81) return -1;
    const second = chunk[position + 1]!;
    if ((second & 0x80) === 0) return -1;
    let length = second & 0x7f;
    let payload = position + 6;
    if (length === 126) {
      if (available < 8) return -1;
      length = chunk.readUInt16BE(position + 2);
      payload = position + 8;
    } else if (length === 127) return -1;
    const end = payload + length;
    if (end > chunk.length || length > this.maxPayload) return -1;
    const mask = this.mask;
    for (let index = 0; index < 4; index++) mask[index] = chunk[payload - 4 + index]!;
    this.scanner.reset();
    if (this.scanner.scan(chunk, payload, end, mask, 0, false)) this.emitSlice(chunk, position, end);
    else this.report(length);
    return end;
  }

  /** Reads one frame header from `position`; returns where its payload starts (or the chunk's end). */
  private readHeader(chunk: Buffer, position: number): number {
    const pending = this.pendingHeader;
    const bytes = pending
      ? Buffer.concat([pending, chunk.subarray(position, position + MAX_HEADER_BYTES)])
      : chunk;
    const offset = pending ? 0 : position;
    const header = parseHeader(bytes, offset);
    if (!header) {
      this.pendingHeader = Buffer.from(bytes.subarray(offset));
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
    if (header.masked)
      for (let index = 0; index < 4; index++) this.mask[index] = bytes[offset + header.length - 4 + index]!;
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
    if (!header.masked || header.rsv !== 0 || header.payloadLength > Number.MAX_SAFE_INTEGER)
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
      this.scanner.reset();
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
    if (this.kind === "text") {
      const more = !this.fin || end < position + this.payloadLeft;
      if (!this.scanner.scan(chunk, position, end, this.mask, this.payloadRead, more)) this.refuse();
    }
    if (this.kind !== "drop") this.emitSlice(chunk, position, end);
    else this.discarded(end - position);
    this.payloadRead += end - position;
    this.payloadLeft -= end - position;
    if (this.payloadLeft === 0) this.frameDone();
    return end;
  }

  /**
   * Bytes of a refused message thrown away: past DISCARD_PER_TURN in one event-loop turn, reading
   * pauses until the next turn, so draining 10 MB never holds the loop for long (other sockets,
   * `/health`, are served in between).
   */
  private discarded(bytes: number): void {
    this.discardedThisTurn += bytes;
    if (this.discardedThisTurn < DISCARD_PER_TURN || this.drainPaused) return;
    this.drainPaused = true;
    this.socket.pause();
    setImmediate(() => {
      this.discardedThisTurn = 0;
      this.drainPaused = false;
      if (!this.isPaused()) this.socket.resume(); // unless ws itself asked for a pause
    });
  }

  /** The text message is nested too deeply: drop what was held of it, discard the rest. */
  private refuse(): void {
    this.refusing = true;
    this.kind = "drop";
    this.report(this.firstFrameBytes);
    this.held = undefined;
  }

  /** Queue the refusal of the message the scanner read (reported once the chunk is passed on). */
  private report(declaredBytes: number): void {
    const id = this.scanner.requestId();
    this.refusals ??= [];
    this.refusals.push(id === undefined ? { declaredBytes } : { id, declaredBytes });
  }

  /** A frame's payload is complete: a message's last frame hands it to ws (unless refused). */
  private frameDone(): void {
    if (this.control || !this.fin) return;
    if (this.message === "text") this.flushHeld();
    this.message = "none";
    this.refusing = false;
  }

  private flushHeld(): void {
    const held = this.held;
    this.held = undefined;
    if (held) for (const { buffer, start, end } of held) this.emitSlice(buffer, start, end);
  }

  /** Where a frame's bytes go: held with its message, or to ws now (control frames never wait). */
  private emitSlice(buffer: Buffer, start: number, end: number): void {
    if (start === end) return;
    if (this.held && !this.control) {
      const last = this.held[this.held.length - 1];
      if (last && last.buffer === buffer && last.end === start) last.end = end;
      else this.held.push({ buffer, start, end });
      return;
    }
    if (buffer === this.runBuffer && start === this.runEnd) {
      this.runEnd = end;
      return;
    }
    if (this.runBuffer) this.output.push({ buffer: this.runBuffer, start: this.runStart, end: this.runEnd });
    this.runBuffer = buffer;
    this.runStart = start;
    this.runEnd = end;
  }

  private pushOutput(): void {
    const run = this.runBuffer;
    if (!run) return;
    let flowing = true;
    if (this.output.length > 0) {
      const output = this.output;
      this.output = [];
      for (const { buffer, start, end } of output) flowing = this.push(buffer.subarray(start, end));
    }
    this.runBuffer = undefined;
    flowing = this.push(
      this.runStart === 0 && this.runEnd === run.length ? run : run.subarray(this.runStart, this.runEnd),
    );
    if (!flowing) this.socket.pause();
  }

  override _read(): void {
    this.socket.resume();
  }

  // A write is done once the socket took it, unless the socket is over its high-water mark: then
  // at its 'drain'. So `bufferedAmount` counts what waits behind a full socket (the slow-consumer
  // check sees it grow), and sent frames are not kept alive until the socket's write callback
  // (that kept ~10 MB of hello-ok buffers for 200 clients waiting for a major GC).
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.socket.write(chunk)) callback();
    else this.socket.once("drain", () => callback());
  }

  override _writev(
    chunks: { chunk: Buffer; encoding: BufferEncoding }[],
    callback: (error?: Error | null) => void,
  ): void {
    const socket = this.socket;
    socket.cork();
    for (let index = 0; index < chunks.length - 1; index++) socket.write(chunks[index]!.chunk);
    const more = socket.write(chunks[chunks.length - 1]!.chunk);
    socket.uncork();
    if (more) callback();
    else socket.once("drain", () => callback());
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
  /** Whether a 4-byte masking key ends the header. */
  masked: boolean;
  payloadLength: number;
  /** Bytes of the header itself. */
  length: number;
}

/** RFC 6455 §5.2 frame header at `bytes[offset]`, or undefined when more bytes are needed. */
function parseHeader(bytes: Buffer, offset: number): Header | undefined {
  const available = bytes.length - offset;
  if (available < 2) return undefined;
  const first = bytes[offset]!;
  const second = bytes[offset + 1]!;
  let length = 2;
  let payloadLength = second & 0x7f;
  if (payloadLength === 126) {
    if (available < 4) return undefined;
    payloadLength = bytes.readUInt16BE(offset + 2);
    length = 4;
  } else if (payloadLength === 127) {
    if (available < 10) return undefined;
    payloadLength = bytes.readUInt32BE(offset + 2) * 2 ** 32 + bytes.readUInt32BE(offset + 6);
    length = 10;
  }
  const masked = (second & 0x80) !== 0;
  if (masked) length += 4;
  if (available < length) return undefined;
  return {
    fin: (first & 0x80) !== 0,
    rsv: first & 0x70,
    opcode: first & 0x0f,
    masked,
    payloadLength,
    length,
  };
}
