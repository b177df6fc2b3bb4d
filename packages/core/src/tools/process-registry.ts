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

  start(command: string, options: { cwd: string; env?: NodeJS.ProcessEnv }): ProcessSession {
    this.counter += 1;
    const id = `proc-${this.counter}`;
    const child = spawn("/bin/sh", ["-c", command], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
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
