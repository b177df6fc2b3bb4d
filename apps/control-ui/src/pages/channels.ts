import { html, nothing } from "lit";
import { Page, unavailable, when } from "../page.js";
import "./qr-login.js";

/** Channels linked by scanning a QR with the phone (`web.login.*`). */
const QR_CHANNELS = new Set(["whatsapp"]);

interface Account {
  accountId: string;
  name?: string;
  enabled?: boolean;
  configured?: boolean;
  running?: boolean;
  connected?: boolean;
  lastError?: string | null;
  lastInboundAt?: number | null;
}
interface Status {
  channelOrder: string[];
  channelLabels: Record<string, string>;
  channelAccounts?: Record<string, Account[]>;
}
interface PairingRequest {
  channel: string;
  code: string;
  id: string;
  createdAt: string;
  meta?: { username?: string; displayName?: string; accountId?: string };
}

/** Channels: status per account, probe, login/logout, DM pairing requests to approve. */
export class ChannelsPage extends Page {
  static override properties = {
    ...Page.properties,
    status: { state: true },
    requests: { state: true },
    notice: { state: true },
    linking: { state: true },
  };
  declare status: Status | undefined;
  declare requests: PairingRequest[];
  declare notice: string;
  /** The `channel:accountId` whose QR login panel is open. */
  declare linking: string | undefined;

  constructor() {
    super();
    this.status = undefined;
    this.requests = [];
    this.notice = "";
    this.linking = undefined;
  }

  protected override async load(probe = false): Promise<void> {
    this.status = await this.conn.request<Status>("channels.status", probe ? { probe: true } : {});
    if (this.conn.has("channels.pairing.list"))
      this.requests = (
        await this.conn.request<{ requests: PairingRequest[] }>("channels.pairing.list", {})
      ).requests;
  }

  private async logout(channel: string, accountId: string): Promise<void> {
    if (!window.confirm(`Log ${channel} (${accountId}) out and clear its credentials?`)) return;
    await this.guard(async () => {
      await this.conn.request("channels.logout", { channel, accountId });
      this.notice = `Logged ${channel} ${accountId} out.`;
      await this.load();
    });
  }

  private async decide(request: PairingRequest, approve: boolean): Promise<void> {
    await this.guard(async () => {
      await this.conn.request(approve ? "channels.pairing.approve" : "channels.pairing.dismiss", {
        channel: request.channel,
        code: request.code,
      });
      this.notice = `${approve ? "Approved" : "Dismissed"} ${request.channel} sender ${request.meta?.username ? `@${request.meta.username}` : request.id}.`;
      await this.load();
    });
  }

  /** "Link WhatsApp" for an account not connected, when the gateway has `web.login.*`. */
  private linkButton(channel: string, account: Account) {
    const key = `${channel}:${account.accountId}`;
    if (!QR_CHANNELS.has(channel) || account.connected || this.linking === key) return nothing;
    if (!this.conn.has("web.login.start")) return nothing;
    return html`<button data-qr-link=${key} @click=${() => {
      this.linking = key;
    }}>Link ${channel === "whatsapp" ? "WhatsApp" : channel}</button>`;
  }

  /** After a link the account restarts: reload its status until it shows connected (≤ 10 s). */
  private async followLinked(channel: string, accountId: string): Promise<void> {
    for (let tries = 0; tries < 20; tries++) {
      await this.load();
      const account = this.status?.channelAccounts?.[channel]?.find((a) => a.accountId === accountId);
      if (account?.connected) return;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  private linkPanel(channel: string) {
    const [linkChannel, accountId] = this.linking?.split(/:(.*)/s) ?? [];
    if (linkChannel !== channel || accountId === undefined) return nothing;
    return html`<oc-qr-login
      .conn=${this.conn}
      .channel=${channel}
      .accountId=${accountId}
      @linked=${() => void this.guard(() => this.followLinked(channel, accountId))}
      @close=${() => {
        this.linking = undefined;
        void this.guard(() => this.load());
      }}
    ></oc-qr-login>`;
  }

  protected override render() {
    const status = this.status;
    const order = status?.channelOrder ?? [];
    return html`<h2>Channels</h2>
      ${this.errorBox()}
      ${this.notice ? html`<p class="notice">${this.notice}</p>` : nothing}
      <div class="row card">
        <button class="secondary" @click=${() => void this.guard(() => this.load(true))}>Probe all</button>
        <span class="muted">Add a channel: put its token in Config → channels, or run <code>openclaw channels add</code>.
          WhatsApp: <strong>Link WhatsApp</strong> on its account shows the QR to scan (or
          <code>openclaw channels login --channel whatsapp</code> in a terminal).</span>
      </div>
      ${order.length === 0 ? html`<section class="card"><p class="muted">No channel is configured.</p></section>` : nothing}
      ${order.map(
        (channel) => html`<section class="card" data-channel=${channel}>
          <h3>${status?.channelLabels[channel] ?? channel}</h3>
          <div class="table-wrap"><table>
            <thead><tr><th>Account</th><th>State</th><th class="optional">Last inbound</th><th></th></tr></thead>
            <tbody>
              ${(status?.channelAccounts?.[channel] ?? []).map(
                (account) => html`<tr>
                  <td>${account.name ?? account.accountId}</td>
                  <td>
                    <span class="pill ${account.connected || account.running ? "ok" : "bad"}">
                      ${account.connected ? "connected" : account.running ? "running" : account.enabled === false ? "disabled" : "stopped"}
                    </span>
                    ${account.lastError ? html`<div class="error">${account.lastError}</div>` : nothing}
                  </td>
                  <td class="optional">${when(account.lastInboundAt ?? undefined)}</td>
                  <td><div class="row">${this.linkButton(channel, account)}
                    <button class="secondary" @click=${() => void this.logout(channel, account.accountId)}>Log out</button></div></td>
                </tr>`,
              )}
            </tbody>
          </table></div>
          ${this.linkPanel(channel)}
        </section>`,
      )}
      <h3>Pairing requests</h3>
      ${
        unavailable(this.conn, "Channel pairing", ["channels.pairing.list", "channels.pairing.approve"]) ??
        html`<section class="card" data-section="pairing">
        ${this.requests.length === 0 ? html`<p class="muted">No sender is waiting for approval.</p>` : nothing}
        ${this.requests.map(
          (request) => html`<div class="row" data-pairing=${request.code}>
            <span class="grow"><strong>${request.channel}</strong> ${request.meta?.username ? `@${request.meta.username}` : (request.meta?.displayName ?? request.id)}
              — code <code>${request.code}</code> <span class="muted">${when(request.createdAt)}</span></span>
            <button @click=${() => void this.decide(request, true)}>Approve</button>
            <button class="secondary" @click=${() => void this.decide(request, false)}>Dismiss</button>
          </div>`,
        )}
      </section>`
      }`;
  }
}

customElements.define("oc-page-channels", ChannelsPage);
