import { html, nothing } from "lit";
import { Page, when } from "../page.js";

type Json = Record<string, unknown>;

/** Health: what `openclaw status --deep` reports (health with a channel probe, status, presence). */
export class HealthPage extends Page {
  static override properties = {
    ...Page.properties,
    health: { state: true },
    status: { state: true },
    presence: { state: true },
  };
  declare health: Json | undefined;
  declare status: Json | undefined;
  declare presence: Json[];

  constructor() {
    super();
    this.health = undefined;
    this.status = undefined;
    this.presence = [];
  }

  protected override async load(probe = false): Promise<void> {
    const [health, status, presence] = await Promise.all([
      this.conn.request<Json>("health", probe ? { probe: true } : {}),
      this.conn.request<Json>("status", {}),
      this.conn.has("system-presence") ? this.conn.request<Json[]>("system-presence", {}) : [],
    ]);
    this.health = health;
    this.status = status;
    this.presence = presence;
  }

  protected override render() {
    const health = this.health;
    const server = this.conn.hello?.server as { version?: string } | undefined;
    const sessions = health?.sessions as { count?: number; path?: string } | undefined;
    const channels = (health?.channels ?? {}) as Record<
      string,
      { ok?: boolean; configured?: boolean; probe?: { ok?: boolean; error?: string } }
    >;
    return html`<h2>Health</h2>
      ${this.errorBox()}
      <div class="row card">
        <span class="pill ${health?.ok ? "ok" : "bad"}" data-health=${health?.ok ? "ok" : "failing"}>${health?.ok ? "healthy" : "not healthy"}</span>
        <span class="muted">gateway ${server?.version ?? ""} · checked ${when(health?.ts as number | undefined)}</span>
        <button class="secondary" @click=${() => void this.guard(() => this.load(true))}>Deep check (probe channels)</button>
      </div>
      <section class="card"><h3>Summary</h3>
        <div class="kv">
          <span>Default agent</span><span>${String(health?.defaultAgentId ?? "main")}</span>
          <span>Sessions</span><span>${sessions?.count ?? 0} <span class="muted">${sessions?.path ?? ""}</span></span>
          <span>Heartbeat</span><span>${health?.heartbeatSeconds ? `every ${Math.round(Number(health.heartbeatSeconds) / 60)} min` : "off"}</span>
          <span>Clients</span><span>${this.presence.length}</span>
        </div>
      </section>
      <section class="card"><h3>Channels</h3>
        ${Object.keys(channels).length === 0 ? html`<p class="muted">No channel configured.</p>` : nothing}
        ${Object.entries(channels).map(
          ([name, channel]) =>
            html`<p>${name}: <span class="pill ${channel.probe?.ok === false ? "bad" : "ok"}">${channel.probe ? (channel.probe.ok ? "probe ok" : `probe failed: ${channel.probe.error ?? ""}`) : channel.configured === false ? "not configured" : "configured"}</span></p>`,
        )}
      </section>
      <section class="card"><h3>Status</h3><pre>${JSON.stringify(this.status ?? {}, null, 2)}</pre></section>`;
  }
}

customElements.define("oc-page-health", HealthPage);
