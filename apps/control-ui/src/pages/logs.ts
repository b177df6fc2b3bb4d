import { html, nothing } from "lit";
import { Page } from "../page.js";

interface Line {
  text: string;
  level: string;
}

const MAX_LINES = 2000;

function parse(raw: string): Line {
  try {
    const entry = JSON.parse(raw) as {
      time?: string | number;
      level?: number | string;
      msg?: string;
      [key: string]: unknown;
    };
    const level =
      typeof entry.level === "number"
        ? entry.level >= 50
          ? "error"
          : entry.level >= 40
            ? "warn"
            : entry.level >= 30
              ? "info"
              : "debug"
        : String(entry.level ?? "info");
    const { time, msg, level: _level, pid: _pid, hostname: _host, ...rest } = entry;
    const extra = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : "";
    const stamp = time ? new Date(time).toLocaleTimeString() : "";
    return { text: `${stamp} ${level.toUpperCase()} ${msg ?? ""}${extra}`, level };
  } catch {
    return { text: raw, level: "info" };
  }
}

/** Logs: the gateway log, followed live (logs.tail from a cursor, once a second), with a filter. */
export class LogsPage extends Page {
  static override properties = {
    ...Page.properties,
    lines: { state: true },
    filter: { state: true },
    paused: { state: true },
    file: { state: true },
  };
  declare lines: Line[];
  declare filter: string;
  declare paused: boolean;
  declare file: string;
  private cursor: number | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    super();
    this.lines = [];
    this.filter = "";
    this.paused = false;
    this.file = "";
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  protected override async load(): Promise<void> {
    await this.poll();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.guard(() => this.poll()), 1000);
  }

  private polling = false;

  private async poll(): Promise<void> {
    if (!this.isConnected || this.polling) return;
    this.polling = true;
    try {
      if (this.paused) return;
      const result = await this.conn.request<{
        file: string;
        cursor: number;
        lines: string[];
        reset?: boolean;
      }>("logs.tail", this.cursor === undefined ? { limit: 300 } : { cursor: this.cursor, limit: 1000 });
      this.file = result.file;
      const fresh = result.lines.filter((line) => line.trim()).map(parse);
      const kept = result.reset ? [] : this.lines;
      if (fresh.length || result.reset) this.lines = [...kept, ...fresh].slice(-MAX_LINES);
      this.cursor = result.cursor;
    } finally {
      this.polling = false;
      if (this.isConnected) this.schedule();
    }
  }

  protected override updated(): void {
    const box = this.querySelector(".logs");
    if (box && !this.paused) box.scrollTop = box.scrollHeight;
  }

  protected override render() {
    const filter = this.filter.toLowerCase();
    const shown = filter ? this.lines.filter((line) => line.text.toLowerCase().includes(filter)) : this.lines;
    return html`<h2>Logs</h2>
      ${this.errorBox()}
      <div class="row card">
        <input class="grow" type="search" name="filter" placeholder="Filter (text or level)" .value=${this.filter}
          @input=${(e: Event) => (this.filter = (e.target as HTMLInputElement).value)} />
        <button class="secondary" @click=${() => (this.paused = !this.paused)}>${this.paused ? "Resume" : "Pause"}</button>
        <span class="muted">${this.file}</span>
      </div>
      <div class="logs" role="log" aria-live="polite">
        ${shown.map((line) => html`<div class=${line.level === "error" || line.level === "fatal" ? "error-line" : line.level === "warn" ? "warn-line" : ""}>${line.text}</div>`)}
        ${shown.length === 0 ? html`<span class="muted">No log lines${filter ? " match the filter" : " yet"}.</span>` : nothing}
      </div>`;
  }
}

customElements.define("oc-page-logs", LogsPage);
