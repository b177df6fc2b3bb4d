import { html, LitElement, nothing } from "lit";
import type { Connection } from "../connection.js";

/** What `web.login.start` answers: the QR as a PNG data URL, or a message without one. */
interface StartAnswer {
  qrDataUrl?: string;
  message: string;
}
/** What `web.login.wait` answers. */
interface WaitAnswer {
  connected: boolean;
  message: string;
}

export type QrLoginState =
  | { kind: "starting" }
  | { kind: "qr"; qr: string; message: string }
  | { kind: "linked"; message: string }
  | { kind: "expired"; message: string }
  | { kind: "error"; message: string };

/** How long one `web.login.wait` waits before the QR is fetched again (WhatsApp rotates it). */
const WAIT_MS = 20_000;

/** A final answer (no QR, or a wait that ended) as the state the panel shows. */
export function settledState(message: string): QrLoginState {
  if (/^(already )?linked\b/i.test(message)) return { kind: "linked", message };
  // the plugin gives up after its deadline ("QR login timed out"); WhatsApp ends the QR refs with 408
  if (/timed out|\(408\)|refs attempts ended|expired/i.test(message)) return { kind: "expired", message };
  return { kind: "error", message };
}

/**
 * QR login of a device-linking channel account (WhatsApp) from the Channels page:
 * `web.login.start` hands out the QR as a PNG data URL, `web.login.wait` reports the scan. While
 * the phone has not scanned it, the QR is fetched again after each wait (WhatsApp rotates it).
 * Fires `linked` when the account is linked.
 */
export class QrLogin extends LitElement {
  static override properties = {
    conn: { attribute: false },
    channel: { attribute: false },
    accountId: { attribute: false },
    state: { state: true },
  };
  declare conn: Connection;
  declare channel: string;
  declare accountId: string;
  declare state: QrLoginState;
  /** Bumped to cancel a running login loop (closed panel, new attempt, page left). */
  private run = 0;

  constructor() {
    super();
    this.channel = "whatsapp";
    this.accountId = "default";
    this.state = { kind: "starting" };
  }

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // after the first update: the properties the page binds are set by then
    void this.updateComplete.then(() => this.start(false));
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.run++;
  }

  private begin(force: boolean): Promise<StartAnswer> {
    const params = { channel: this.channel, accountId: this.accountId, ...(force ? { force: true } : {}) };
    return this.conn.request<StartAnswer>("web.login.start", params, 45_000);
  }

  /** Get a QR (a new one when `force`), then wait for the scan until linked, expired or failed. */
  async start(force: boolean): Promise<void> {
    const run = ++this.run;
    this.state = { kind: "starting" };
    try {
      let answer = await this.begin(force);
      while (run === this.run) {
        if (!answer.qrDataUrl) {
          this.settle(settledState(answer.message));
          return;
        }
        this.state = { kind: "qr", qr: answer.qrDataUrl, message: answer.message };
        const waited = await this.conn.request<WaitAnswer>(
          "web.login.wait",
          { channel: this.channel, accountId: this.accountId, timeoutMs: WAIT_MS },
          WAIT_MS + 15_000,
        );
        if (run !== this.run) return;
        if (waited.connected) {
          this.settle({ kind: "linked", message: waited.message });
          return;
        }
        if (!/^still waiting/i.test(waited.message)) {
          this.settle(settledState(waited.message));
          return;
        }
        answer = await this.begin(false); // the current QR (WhatsApp may have rotated it)
      }
    } catch (error) {
      if (run === this.run)
        this.state = { kind: "error", message: error instanceof Error ? error.message : String(error) };
    }
  }

  private settle(state: QrLoginState): void {
    this.state = state;
    if (state.kind === "linked") this.dispatchEvent(new CustomEvent("linked", { bubbles: true }));
  }

  private close(): void {
    this.run++;
    this.dispatchEvent(new CustomEvent("close", { bubbles: true }));
  }

  protected override render() {
    const state = this.state;
    const retry = (label: string) => html`<button @click=${() => void this.start(true)}>${label}</button>`;
    return html`<div class="card qr-login" data-login-state=${state.kind}>
      <div class="row">
        <strong class="grow">Link ${this.channel === "whatsapp" ? "WhatsApp" : this.channel} (${this.accountId})</strong>
        <button class="secondary" @click=${() => this.close()}>Close</button>
      </div>
      ${state.kind === "starting" ? html`<p class="muted">Asking the gateway for a QR…</p>` : nothing}
      ${
        state.kind === "qr"
          ? html`<img class="qr" src=${state.qr} alt="QR code to scan with the phone" />
            <p>${state.message}</p>
            <p class="muted">Waiting for the phone to scan it. The code refreshes by itself.</p>`
          : nothing
      }
      ${state.kind === "linked" ? html`<p class="notice">${state.message.replace(/^l/, "L")}.</p>` : nothing}
      ${
        state.kind === "expired"
          ? html`<p class="error" role="alert">The QR expired before it was scanned (${state.message}).</p>
            ${retry("Get a new QR")}`
          : nothing
      }
      ${
        state.kind === "error"
          ? html`<p class="error" role="alert">${state.message}</p>${retry("Try again")}`
          : nothing
      }
    </div>`;
  }
}

customElements.define("oc-qr-login", QrLogin);
