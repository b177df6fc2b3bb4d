import { html, nothing } from "lit";
import { Page, unavailable, when } from "../page.js";

interface Approval {
  id: string;
  request: {
    command: string;
    cwd?: string | null;
    host?: string | null;
    nodeId?: string | null;
    agentId?: string | null;
  };
  createdAtMs?: number;
  expiresAtMs?: number;
}

/** Approvals: pending exec approvals, allow once / always / deny; updates live. */
export class ApprovalsPage extends Page {
  static override properties = { ...Page.properties, approvals: { state: true }, notice: { state: true } };
  declare approvals: Approval[];
  declare notice: string;
  private off: (() => void)[] = [];

  constructor() {
    super();
    this.approvals = [];
    this.notice = "";
  }

  override connectedCallback(): void {
    super.connectedCallback();
    const reload = () => void this.guard(() => this.load());
    this.off = ["exec.approval.requested", "exec.approval.resolved"].map((event) =>
      this.conn.on(event, reload),
    );
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const off of this.off.splice(0)) off();
  }

  protected override async load(): Promise<void> {
    if (!this.conn.has("exec.approval.list")) return;
    this.approvals = (await this.conn.request<{ approvals: Approval[] }>("exec.approval.list", {})).approvals;
  }

  private async decide(id: string, decision: "allow-once" | "allow-always" | "deny"): Promise<void> {
    await this.guard(async () => {
      await this.conn.request("exec.approval.resolve", { id, decision });
      this.notice = `${decision} for ${id}.`;
      await this.load();
    });
  }

  protected override render() {
    return html`<h2>Approvals</h2>
      ${this.errorBox()}
      ${this.notice ? html`<p class="notice">${this.notice}</p>` : nothing}
      ${
        unavailable(this.conn, "Exec approvals", ["exec.approval.list", "exec.approval.resolve"]) ??
        html`<section class="card" data-section="approvals">
        ${this.approvals.length === 0 ? html`<p class="muted">No command is waiting for approval.</p>` : nothing}
        ${this.approvals.map(
          (approval) => html`<div class="card" data-approval=${approval.id}>
            <pre>${approval.request.command}</pre>
            <p class="muted">${approval.request.nodeId ? `node ${approval.request.nodeId}` : (approval.request.host ?? "gateway host")}
              ${approval.request.cwd ? ` · in ${approval.request.cwd}` : ""} · expires ${when(approval.expiresAtMs)}</p>
            <div class="row">
              <button @click=${() => void this.decide(approval.id, "allow-once")}>Allow once</button>
              <button class="secondary" @click=${() => void this.decide(approval.id, "allow-always")}>Allow always</button>
              <button class="danger" @click=${() => void this.decide(approval.id, "deny")}>Deny</button>
            </div>
          </div>`,
        )}
      </section>`
      }`;
  }
}

customElements.define("oc-page-approvals", ApprovalsPage);
