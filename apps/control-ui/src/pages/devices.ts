import { html, nothing } from "lit";
import { Page, unavailable, when } from "../page.js";

interface Pending {
  requestId: string;
  deviceId: string;
  displayName?: string;
  clientId?: string;
  platform?: string;
  role?: string;
  scopes?: string[];
  remoteIp?: string;
  ts: number;
}
interface Paired {
  deviceId: string;
  displayName?: string;
  clientId?: string;
  platform?: string;
  roles?: string[];
  scopes?: string[];
  createdAtMs: number;
}
interface NodeRow {
  nodeId: string;
  displayName?: string;
  platform?: string;
  caps?: string[];
  commands?: string[];
  paired?: boolean;
  connected?: boolean;
}
interface NodeRequest {
  requestId: string;
  nodeId: string;
  displayName?: string;
  platform?: string;
  caps?: string[];
  commands?: string[];
}

/** Devices and nodes: device pairing approvals, paired devices, nodes and their capabilities. */
export class DevicesPage extends Page {
  static override properties = {
    ...Page.properties,
    pending: { state: true },
    paired: { state: true },
    nodes: { state: true },
    nodeRequests: { state: true },
    notice: { state: true },
  };
  declare pending: Pending[];
  declare paired: Paired[];
  declare nodes: NodeRow[];
  declare nodeRequests: NodeRequest[];
  declare notice: string;
  private off: (() => void)[] = [];

  constructor() {
    super();
    this.pending = [];
    this.paired = [];
    this.nodes = [];
    this.nodeRequests = [];
    this.notice = "";
  }

  override connectedCallback(): void {
    super.connectedCallback();
    const reload = () => void this.guard(() => this.load());
    this.off = [
      "device.pair.requested",
      "device.pair.resolved",
      "node.pair.requested",
      "node.pair.resolved",
    ].map((event) => this.conn.on(event, reload));
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const off of this.off.splice(0)) off();
  }

  protected override async load(): Promise<void> {
    const devices = await this.conn.request<{ pending: Pending[]; paired: Paired[] }>("device.pair.list", {});
    this.pending = devices.pending;
    this.paired = devices.paired;
    if (this.conn.has("node.list"))
      this.nodes = (await this.conn.request<{ nodes: NodeRow[] }>("node.list", {})).nodes;
    if (this.conn.has("node.pair.list"))
      this.nodeRequests =
        (await this.conn.request<{ pending: NodeRequest[] }>("node.pair.list", {})).pending ?? [];
  }

  private async act(method: string, params: Record<string, string>, done: string): Promise<void> {
    await this.guard(async () => {
      await this.conn.request(method, params);
      this.notice = done;
      await this.load();
    });
  }

  protected override render() {
    return html`<h2>Devices and nodes</h2>
      ${this.errorBox()}
      ${this.notice ? html`<p class="notice">${this.notice}</p>` : nothing}
      <section class="card" data-section="device-requests">
        <h3>Devices waiting for approval</h3>
        ${this.pending.length === 0 ? html`<p class="muted">None. A browser or app on another machine appears here when it connects.</p>` : nothing}
        ${this.pending.map(
          (request) => html`<div class="row" data-request=${request.requestId}>
            <span class="grow"><strong>${request.displayName ?? request.clientId ?? "device"}</strong>
              <span class="muted">${request.platform ?? ""} from ${request.remoteIp ?? "?"} · ${request.role ?? "operator"}
              ${(request.scopes ?? []).join(", ")} · ${when(request.ts)}</span>
              <br /><code>${request.deviceId.slice(0, 16)}…</code></span>
            <button @click=${() => void this.act("device.pair.approve", { requestId: request.requestId }, `Approved ${request.displayName ?? request.deviceId.slice(0, 12)}.`)}>Approve</button>
            <button class="secondary" @click=${() => void this.act("device.pair.reject", { requestId: request.requestId }, "Rejected.")}>Reject</button>
          </div>`,
        )}
      </section>
      <section class="card table-wrap" data-section="paired">
        <h3>Paired devices</h3>
        <table><thead><tr><th>Device</th><th class="optional">Roles / scopes</th><th class="optional">Since</th><th></th></tr></thead>
          <tbody>${this.paired.map(
            (device) => html`<tr data-device=${device.deviceId}>
              <td>${device.displayName ?? device.clientId ?? "device"}<br /><code>${device.deviceId.slice(0, 16)}…</code></td>
              <td class="optional">${(device.roles ?? []).join(", ")}<br /><span class="muted">${(device.scopes ?? []).join(", ")}</span></td>
              <td class="optional">${when(device.createdAtMs)}</td>
              <td><button class="danger" @click=${() => window.confirm("Forget this device and revoke its tokens?") && void this.act("device.pair.remove", { deviceId: device.deviceId }, "Removed.")}>Remove</button></td>
            </tr>`,
          )}</tbody></table>
      </section>
      <h3>Nodes</h3>
      ${
        unavailable(this.conn, "Nodes", ["node.list", "node.pair.list", "node.pair.approve"]) ??
        html`<section class="card" data-section="nodes">
        ${this.nodeRequests.map(
          (request) => html`<div class="row" data-node-request=${request.requestId}>
            <span class="grow">Node <strong>${request.displayName ?? request.nodeId}</strong> asks to pair
              <span class="muted">${request.platform ?? ""} · caps: ${(request.caps ?? []).join(", ") || "none"}
              · commands: ${(request.commands ?? []).join(", ") || "none"}</span></span>
            <button @click=${() => void this.act("node.pair.approve", { requestId: request.requestId }, "Node approved.")}>Approve</button>
            <button class="secondary" @click=${() => void this.act("node.pair.reject", { requestId: request.requestId }, "Node rejected.")}>Reject</button>
          </div>`,
        )}
        ${this.nodes.length === 0 ? html`<p class="muted">No node. Run <code>openclaw node run</code> on a machine to add one.</p>` : nothing}
        <div class="table-wrap"><table><tbody>${this.nodes.map(
          (node) => html`<tr data-node=${node.nodeId}>
            <td>${node.displayName ?? node.nodeId}<br /><span class="muted">${node.platform ?? ""}</span></td>
            <td><span class="pill ${node.connected ? "ok" : "bad"}">${node.connected ? "connected" : "offline"}</span>
              ${node.paired === false ? html`<span class="pill bad">not paired</span>` : nothing}</td>
            <td class="optional">${[...(node.caps ?? []), ...(node.commands ?? [])].join(", ")}</td>
          </tr>`,
        )}</tbody></table></div>
      </section>`
      }`;
  }
}

customElements.define("oc-page-devices", DevicesPage);
