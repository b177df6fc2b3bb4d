import { html, LitElement, nothing, type PropertyValues, type TemplateResult } from "lit";
import type { Connection } from "./connection.js";

/** Base of every page: light DOM (one stylesheet, one theme), the connection, a load on (re)connect. */
export class Page extends LitElement {
  static override properties = {
    conn: { attribute: false },
    generation: { type: Number },
    error: { state: true },
    busy: { state: true },
  };
  declare conn: Connection;
  /** Changes with every (re)connection: the page reloads its data. */
  declare generation: number;
  declare error: string | undefined;
  declare busy: boolean;

  constructor() {
    super();
    this.generation = 0;
    this.error = undefined;
    this.busy = false;
  }

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // shown again after another page: read fresh data
    if (this.hasUpdated && this.conn && this.generation > 0) void this.guard(() => this.load());
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has("generation") && this.conn && this.generation > 0) void this.guard(() => this.load());
  }

  /** Read the page's data (called on every (re)connection). */
  protected async load(): Promise<void> {}

  /** Run an action; its error is shown on the page instead of thrown. */
  protected async guard(action: () => Promise<unknown>): Promise<void> {
    this.busy = true;
    try {
      await action();
      this.error = undefined;
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
    } finally {
      this.busy = false;
    }
  }

  protected errorBox(): TemplateResult | typeof nothing {
    return this.error ? html`<div class="error" role="alert">${this.error}</div>` : nothing;
  }
}

/**
 * A panel for a capability the gateway does not advertise (hello-ok features.methods); it lights up
 * by itself once a gateway that has the methods is connected.
 */
export function unavailable(conn: Connection, title: string, methods: string[]): TemplateResult | undefined {
  const missing = methods.filter((method) => !conn.has(method));
  if (missing.length === 0) return undefined;
  return html`<section class="card unavailable" data-unavailable=${title}>
    <h3>${title}: not available yet</h3>
    <p>This gateway does not offer ${missing.map((m, i) => html`${i ? ", " : ""}<code>${m}</code>`)} yet.
      The panel appears here as soon as a gateway that has them is connected.</p>
  </section>`;
}

export function when(ms: number | string | undefined): string {
  if (ms === undefined || ms === "") return "—";
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? String(ms) : date.toLocaleString();
}

/** Plain text of a transcript/chat message (`content` string or text parts). */
export function textOf(message: unknown): string {
  const content = (message as { content?: unknown } | undefined)?.content;
  if (typeof content === "string") return content;
  if (Array.isArray(content))
    return content
      .map((part: { type?: string; text?: string }) => (part?.type === "text" ? (part.text ?? "") : ""))
      .join("");
  return "";
}
