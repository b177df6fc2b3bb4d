import { type ChildProcess, spawn } from "node:child_process";

export interface ProcessSession {
  id: string;
  command: string;
  cwd: string;
  startedAt: number;
  endedAt?: number;
  exitCode?: number | null;
  signal?: string | null;
  status: "running" | "exited" | "killed";
  /** Combined stdout+stderr, capped at `maxBufferChars` (oldest output trimmed). */
  output: string;
  /** How much of `output` has already been returned by `poll`. */
  readOffset: number;
  truncatedChars: number;
  child?: ChildProcess;
  done: Promise<void>;
}

/** Shell processes started by `exec`, kept so `process` can list, poll and kill them. */
export class ProcessRegistry {
  private readonly sessions = new Map<string, ProcessSession>();
  private counter = 0;
  constructor(private readonly maxBufferChars = 200_000) {}

  /**
   * Start `command` in its own process group. With `stdin: true` the process's stdin stays open
   * for `write` (background sessions); otherwise it reads end-of-file at once.
   */
  start(command: string, options: { cwd: string; env?: NodeJS.ProcessEnv; stdin?: boolean }): ProcessSession {
    this.counter += 1;
    const id = `proc-${this.counter}`;
    const child = spawn("/bin/sh", ["-c", command], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: [options.stdin ? "pipe" : "ignore", "pipe", "pipe"],
      detached: true,
    });
    let resolveDone!: () => void;
    const done = new Promise<void>((resolve) => {
      resolveDone = resolve;
    });
    const session: ProcessSession = {
      id,
      command,
      cwd: options.cwd,
      startedAt: Date.now(),
      status: "running",
      output: "",
      readOffset: 0,
      truncatedChars: 0,
      child,
      done,
    };
    const append = (chunk: Buffer) => {
      session.output += chunk.toString("utf8");
      const overflow = session.output.length - this.maxBufferChars;
      if (overflow > 0) {
        session.output = session.output.slice(overflow);
        session.truncatedChars += overflow;
        session.readOffset = Math.max(0, session.readOffset - overflow);
      }
    };
    child.stdout?.on("data", append);
    child.stderr?.on("data", append);
    // a process that exits before reading its input must not crash the host with EPIPE
    child.stdin?.on("error", () => {});
    child.on("error", (error) => {
      session.output += `\n[spawn error: ${error.message}]`;
    });
    child.on("close", (code, signal) => {
      session.exitCode = code;
      session.signal = signal;
      session.endedAt = Date.now();
      if (session.status === "running") session.status = "exited";
      session.child = undefined;
      resolveDone();
    });
    this.sessions.set(id, session);
    return session;
  }

  get(id: string): ProcessSession | undefined {
    return this.sessions.get(id);
  }

  list(): ProcessSession[] {
    return [...this.sessions.values()];
  }

  kill(id: string): boolean {
    const session = this.sessions.get(id);
    if (!session?.child || session.status !== "running") return false;
    session.status = "killed";
    try {
      // negative pid: the whole process group started for this command
      if (session.child.pid) process.kill(-session.child.pid, "SIGKILL");
    } catch {
      session.child.kill("SIGKILL");
    }
    return true;
  }

  /**
   * Write to a running session's stdin (`eof` closes it afterwards). Throws a ProcessWriteError
   * when the session is unknown, finished, or was started without an open stdin.
   */
  async write(id: string, data: string, eof = false): Promise<{ bytes: number; closed: boolean }> {
    const session = this.sessions.get(id);
    if (!session) throw new ProcessWriteError("not_found", `No process with id ${id}`);
    if (session.status !== "running" || !session.child)
      throw new ProcessWriteError(
        "not_running",
        `${id} is not running (${session.status}); nothing to write to`,
      );
    const stdin = session.child.stdin;
    if (!stdin || stdin.destroyed || stdin.writableEnded)
      throw new ProcessWriteError(
        "stdin_closed",
        `${id} has no open stdin (start the command with background: true to write to it, and do not send eof before the last write)`,
      );
    const bytes = Buffer.byteLength(data);
    if (data.length > 0)
      await new Promise<void>((resolve, reject) =>
        stdin.write(data, (error) =>
          error ? reject(new ProcessWriteError("write_failed", error.message)) : resolve(),
        ),
      );
    if (eof) stdin.end();
    return { bytes, closed: eof };
  }

  /**
   * Forget finished sessions (their buffered output too): one by id, or every finished one.
   * A running session is refused (kill it first, or use `remove`). Returns the ids cleared.
   */
  clear(id?: string): string[] {
    if (id !== undefined) {
      const session = this.sessions.get(id);
      if (!session) throw new ProcessWriteError("not_found", `No process with id ${id}`);
      if (session.status === "running")
        throw new ProcessWriteError("running", `${id} is still running; kill it first or use action=remove`);
      this.sessions.delete(id);
      return [id];
    }
    const cleared: string[] = [];
    for (const session of [...this.sessions.values()])
      if (session.status !== "running") {
        this.sessions.delete(session.id);
        cleared.push(session.id);
      }
    return cleared;
  }

  remove(id: string): boolean {
    const session = this.sessions.get(id);
    if (!session) return false;
    if (session.status === "running") this.kill(id);
    return this.sessions.delete(id);
  }

  /** Kill everything still running (assistant shutdown). */
  async killAll(): Promise<void> {
    const running = this.list().filter((session) => session.status === "running");
    for (const session of running) this.kill(session.id);
    await Promise.all(running.map((session) => session.done));
  }
}

/** Expected failures of `write` / `clear` (the message is shown to the model verbatim). */
export class ProcessWriteError extends Error {
  constructor(
    readonly code: "not_found" | "not_running" | "stdin_closed" | "write_failed" | "running",
    message: string,
  ) {
    super(message);
    this.name = "ProcessWriteError";
  }
}
