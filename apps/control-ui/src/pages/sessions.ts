import { html, nothing } from "lit";
import { Page, when } from "../page.js";

interface Row {
  key: string;
  sessionId?: string;
  updatedAt?: number | null;
  displayName?: string;
  channel?: string;
  model?: string;
  totalTokens?: number;
}

/** Sessions: list, search, preview, reset, delete, export/import of a bundle (JSON). */
export class SessionsPage extends Page {
  static override properties = {
    ...Page.properties,
    rows: { state: true },
    query: { state: true },
    preview: { state: true },
    notice: { state: true },
  };
  declare rows: Row[];
  declare query: string;
  declare preview: { key: string; items: { role: string; text: string }[] } | undefined;
  declare notice: string;

  constructor() {
    super();
    this.rows = [];
    this.query = "";
    this.preview = undefined;
    this.notice = "";
  }

  protected override async load(): Promise<void> {
    const result = await this.conn.request<{ sessions: Row[] }>("sessions.list", { limit: 500 });
    this.rows = result.sessions;
  }

  private async showPreview(key: string): Promise<void> {
    await this.guard(async () => {
      const result = await this.conn.request<{
        previews: { key: string; items: { role: string; text: string }[] }[];
      }>("sessions.preview", { keys: [key], limit: 10, maxChars: 400 });
      this.preview = { key, items: result.previews?.[0]?.items ?? [] };
    });
  }

  private previewClick(event: Event, key: string): void {
    event.preventDefault();
    void this.showPreview(key);
  }

  private async act(method: "sessions.reset" | "sessions.delete", key: string): Promise<void> {
    const verb = method === "sessions.reset" ? "Reset" : "Delete";
    if (!window.confirm(`${verb} ${key}?`)) return;
    await this.guard(async () => {
      await this.conn.request(method, { key });
      this.notice = `${verb === "Reset" ? "Reset" : "Deleted"} ${key}.`;
      await this.load();
    });
  }

  /** A bundle: each session's history, as chat.history answers it. */
  private async exportBundle(): Promise<void> {
    await this.guard(async () => {
      const sessions = [];
      for (const row of this.visible()) {
        const history = await this.conn.request<{ messages: unknown[] }>("chat.history", {
          sessionKey: row.key,
          limit: 1000,
        });
        sessions.push({ key: row.key, sessionId: row.sessionId, messages: history.messages });
      }
      const blob = new Blob([JSON.stringify({ version: 1, exportedAt: Date.now(), sessions }, null, 2)], {
        type: "application/json",
      });
      const link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = "openclaw-sessions.json";
      link.click();
      URL.revokeObjectURL(link.href);
    });
  }

  /** Import: each message of the bundle is appended to its session with chat.inject (not sent to the model). */
  private async importBundle(event: Event): Promise<void> {
    const file = (event.target as HTMLInputElement).files?.[0];
    if (!file) return;
    await this.guard(async () => {
      const bundle = JSON.parse(await file.text()) as {
        sessions?: { key: string; messages: { role: string; content: unknown }[] }[];
      };
      if (!Array.isArray(bundle.sessions)) throw new Error("not a sessions bundle (no `sessions` array)");
      let count = 0;
      for (const session of bundle.sessions)
        for (const message of session.messages) {
          if (message.role !== "assistant" && message.role !== "user") continue;
          const text = Array.isArray(message.content)
            ? message.content.map((part: { text?: string }) => part.text ?? "").join("")
            : String(message.content ?? "");
          if (!text) continue;
          await this.conn.request("chat.inject", {
            sessionKey: session.key,
            message: message.role === "user" ? `[imported user message] ${text}` : text,
          });
          count += 1;
        }
      this.notice = `Imported ${count} message(s).`;
      await this.load();
    });
  }

  private visible(): Row[] {
    const query = this.query.toLowerCase();
    return this.rows.filter((row) =>
      `${row.key} ${row.displayName ?? ""} ${row.channel ?? ""}`.toLowerCase().includes(query),
    );
  }

  protected override render() {
    return html`<h2>Sessions</h2>
      ${this.errorBox()}
      ${this.notice ? html`<p class="notice">${this.notice}</p>` : nothing}
      <div class="row card">
        <input class="grow" type="search" placeholder="Search sessions" .value=${this.query}
          @input=${(e: Event) => (this.query = (e.target as HTMLInputElement).value)} />
        <button class="secondary" @click=${() => void this.exportBundle()}>Export</button>
        <label class="secondary">Import <input type="file" accept="application/json" hidden @change=${(e: Event) => void this.importBundle(e)} /></label>
        <button class="secondary" @click=${() => void this.guard(() => this.load())}>Refresh</button>
      </div>
      <div class="card table-wrap">
        <table>
          <thead><tr><th>Session</th><th class="optional">Updated</th><th class="optional">Model</th><th class="optional">Tokens</th><th></th></tr></thead>
          <tbody>
            ${this.visible().map(
              (row) => html`<tr data-session=${row.key}>
                <td><a href="#/sessions" @click=${(e: Event) => this.previewClick(e, row.key)}>${row.displayName ?? row.key}</a>
                  ${row.channel ? html`<span class="pill">${row.channel}</span>` : nothing}</td>
                <td class="optional">${when(row.updatedAt ?? undefined)}</td>
                <td class="optional">${row.model ?? "—"}</td>
                <td class="optional">${row.totalTokens ?? "—"}</td>
                <td class="row">
                  <button class="secondary" @click=${() => void this.act("sessions.reset", row.key)}>Reset</button>
                  <button class="danger" @click=${() => void this.act("sessions.delete", row.key)}>Delete</button>
                </td>
              </tr>`,
            )}
          </tbody>
        </table>
        ${this.rows.length === 0 ? html`<p class="muted">No sessions yet.</p>` : nothing}
      </div>
      ${
        this.preview
          ? html`<section class="card" data-preview=${this.preview.key}>
            <h3>${this.preview.key}</h3>
            ${this.preview.items.length === 0 ? html`<p class="muted">No messages.</p>` : nothing}
            ${this.preview.items.map((item) => html`<p><strong>${item.role}:</strong> ${item.text}</p>`)}
          </section>`
          : nothing
      }`;
  }
}

customElements.define("oc-page-sessions", SessionsPage);
