import { html, nothing } from "lit";
import { Page } from "../page.js";
import { collectPatch, type JsonSchema, renderFields, type UiHints, unrepresentable } from "./config-form.js";

interface Snapshot {
  path: string;
  exists: boolean;
  raw: string | null;
  config: Record<string, unknown>;
  hash?: string;
  valid: boolean;
  issues?: { path: string; message: string }[];
}

const FIRST_SECTIONS = [
  "gateway",
  "agents",
  "models",
  "channels",
  "session",
  "messages",
  "tools",
  "logging",
  "cron",
];

/** Config: a form from config.schema + uiHints, and the raw JSON5 file; both write with baseHash. */
export class ConfigPage extends Page {
  static override properties = {
    ...Page.properties,
    schema: { state: true },
    hints: { state: true },
    snapshot: { state: true },
    section: { state: true },
    mode: { state: true },
    fieldErrors: { state: true },
    notice: { state: true },
  };
  declare schema: JsonSchema | undefined;
  declare hints: UiHints;
  declare snapshot: Snapshot | undefined;
  declare section: string;
  declare mode: "form" | "raw";
  declare fieldErrors: Map<string, string>;
  declare notice: string;

  constructor() {
    super();
    this.schema = undefined;
    this.hints = {};
    this.snapshot = undefined;
    this.section = "gateway";
    this.mode = "form";
    this.fieldErrors = new Map();
    this.notice = "";
  }

  protected override async load(): Promise<void> {
    const [schema, snapshot] = await Promise.all([
      this.schema
        ? { schema: this.schema, uiHints: this.hints }
        : this.conn.request<{ schema: JsonSchema; uiHints?: UiHints }>("config.schema", {}),
      this.conn.request<Snapshot>("config.get", {}),
    ]);
    this.schema = schema.schema;
    this.hints = schema.uiHints ?? {};
    this.snapshot = snapshot;
  }

  /** Why the form cannot show the current section (then the raw editor is shown instead). */
  private formProblem(): string | undefined {
    const snapshot = this.snapshot;
    if (!snapshot || !this.schema) return undefined;
    if (!snapshot.valid)
      return `the file does not pass validation: ${(snapshot.issues ?? [])
        .map((issue) =>
          issue.message.startsWith(`${issue.path}:`) ? issue.message : `${issue.path}: ${issue.message}`,
        )
        .join("; ")}`;
    if (snapshot.raw === null && snapshot.exists) return "the file's text cannot be shown";
    const schema = this.schema.properties?.[this.section];
    if (!schema) return `${this.section} is not in the schema`;
    return unrepresentable(schema, snapshot.config[this.section], this.section);
  }

  private async write(method: "config.patch" | "config.set", raw: string): Promise<void> {
    this.notice = "";
    this.fieldErrors = new Map();
    try {
      await this.conn.request(method, {
        raw,
        ...(this.snapshot?.hash ? { baseHash: this.snapshot.hash } : {}),
      });
      this.notice = "Saved. The gateway applies the change (a restart-only key restarts it).";
      this.error = undefined;
      await this.load();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.error = /stale|changed since|baseHash|hash/i.test(message)
        ? `${message}\nSomeone else changed the config since you opened it: reload to see their edit, then apply yours again.`
        : message;
      const errors = new Map<string, string>();
      for (const match of message.matchAll(
        /(?:^|\n)\s*-?\s*([A-Za-z0-9_$]+(?:\.[A-Za-z0-9_$[\]]+)+):\s*(.+)/g,
      ))
        errors.set(match[1]!, match[2]!);
      this.fieldErrors = errors;
    }
  }

  private submitForm(event: Event): void {
    event.preventDefault();
    const patch = collectPatch(event.target as HTMLFormElement);
    if (Object.keys(patch).length === 0) {
      this.notice = "Nothing changed.";
      return;
    }
    void this.write("config.patch", JSON.stringify(patch));
  }

  private submitRaw(event: Event): void {
    event.preventDefault();
    const text = ((event.target as HTMLFormElement).elements.namedItem("raw") as HTMLTextAreaElement).value;
    void this.write("config.set", text);
  }

  protected override render() {
    if (!this.snapshot || !this.schema)
      return html`<h2>Config</h2>${this.errorBox()}<p class="muted">Loading…</p>`;
    const sections = Object.keys(this.schema.properties ?? {}).filter((key) => key !== "$schema");
    const ordered = [
      ...FIRST_SECTIONS.filter((key) => sections.includes(key)),
      ...sections.filter((key) => !FIRST_SECTIONS.includes(key)),
    ];
    const problem = this.formProblem();
    const raw = this.mode === "raw" || problem !== undefined;
    return html`<h2>Config</h2>
      <p class="muted"><code>${this.snapshot.path}</code> · hash <code>${(this.snapshot.hash ?? "").slice(0, 19)}</code></p>
      ${this.errorBox()}
      ${this.notice ? html`<p class="notice">${this.notice}</p>` : nothing}
      <div class="row card">
        <label>Section
          <select name="section" @change=${(e: Event) => (this.section = (e.target as HTMLSelectElement).value)}>
            ${ordered.map((key) => html`<option value=${key} ?selected=${key === this.section}>${this.hints[key]?.label ?? key}</option>`)}
          </select>
        </label>
        <button class="secondary" ?disabled=${problem !== undefined} @click=${() => (this.mode = this.mode === "form" ? "raw" : "form")}>
          ${raw ? "Form" : "Raw JSON5"}
        </button>
        <button class="secondary" @click=${() => void this.guard(() => this.load())}>Reload</button>
      </div>
      ${problem ? html`<div class="card warn" data-form-fallback><strong>The form cannot show this config</strong>: ${problem}. Edit it in the raw editor below.</div>` : nothing}
      ${raw ? this.rawEditor() : this.form()}`;
  }

  private form() {
    const schema = this.schema!.properties![this.section]!;
    return html`<form class="card" data-mode="form" @submit=${(e: Event) => this.submitForm(e)}>
      ${renderFields(schema, this.snapshot!.config[this.section], this.section, this.hints, this.fieldErrors)}
      <div class="row"><button type="submit">Save changes</button>
        <span class="muted">Only the fields you changed are written; comments and the rest of the file stay.</span></div>
    </form>`;
  }

  private rawEditor() {
    return html`<form class="card" data-mode="raw" @submit=${(e: Event) => this.submitRaw(e)}>
      <textarea name="raw" class="code" rows="24" spellcheck="false" .value=${this.snapshot!.raw ?? "{\n}\n"}></textarea>
      <div class="row"><button type="submit">Save file</button>
        <span class="muted">JSON5: comments allowed. The gateway validates before writing; an invalid file is refused.</span></div>
    </form>`;
  }
}

customElements.define("oc-page-config", ConfigPage);
