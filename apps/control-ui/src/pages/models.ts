import { html, nothing } from "lit";
import { Page } from "../page.js";

interface Model {
  id: string;
  name?: string;
  provider: string;
  contextWindow?: number;
}
type Json = Record<string, unknown>;

const REDACTED = "__OPENCLAW_REDACTED__";

/** Models: providers with their auth status, the default model and its fallbacks (edited with baseHash). */
export class ModelsPage extends Page {
  static override properties = {
    ...Page.properties,
    models: { state: true },
    config: { state: true },
    hash: { state: true },
    notice: { state: true },
  };
  declare models: Model[];
  declare config: Json;
  declare hash: string | undefined;
  declare notice: string;

  constructor() {
    super();
    this.models = [];
    this.config = {};
    this.hash = undefined;
    this.notice = "";
  }

  protected override async load(): Promise<void> {
    const [models, config] = await Promise.all([
      this.conn.request<{ models: Model[] }>("models.list", {}),
      this.conn.request<{ config: Json; hash?: string }>("config.get", {}),
    ]);
    this.models = models.models;
    this.config = config.config;
    this.hash = config.hash;
  }

  private modelConfig(): { primary?: string; fallbacks?: string[] } {
    const model = ((this.config.agents as Json | undefined)?.defaults as Json | undefined)?.model;
    return typeof model === "string"
      ? { primary: model }
      : ((model as { primary?: string; fallbacks?: string[] }) ?? {});
  }

  private save(event: Event): void {
    event.preventDefault();
    const data = new FormData(event.target as HTMLFormElement);
    const fallbacks = String(data.get("fallbacks") ?? "")
      .split(",")
      .map((entry) => entry.trim())
      .filter(Boolean);
    const patch = { agents: { defaults: { model: { primary: String(data.get("primary")), fallbacks } } } };
    void this.guard(async () => {
      await this.conn.request("config.patch", {
        raw: JSON.stringify(patch),
        ...(this.hash ? { baseHash: this.hash } : {}),
      });
      this.notice = "Saved the default model.";
      await this.load();
    });
  }

  protected override render() {
    const providers = ((this.config.models as Json | undefined)?.providers ?? {}) as Record<string, Json>;
    const profiles = ((this.config.auth as Json | undefined)?.profiles ?? {}) as Record<
      string,
      { provider?: string }
    >;
    const current = this.modelConfig();
    const names = new Set([...Object.keys(providers), ...this.models.map((model) => model.provider)]);
    return html`<h2>Models</h2>
      ${this.errorBox()}
      ${this.notice ? html`<p class="notice">${this.notice}</p>` : nothing}
      <section class="card" data-section="providers">
        <h3>Providers</h3>
        ${names.size === 0 ? html`<p class="muted">No provider configured. Run <code>openclaw onboard</code> or <code>openclaw configure --section models</code>.</p>` : nothing}
        <table><tbody>${[...names].map((name) => {
          const provider = providers[name] ?? {};
          const keyed = provider.apiKey === REDACTED || typeof provider.apiKey === "string";
          const profiled = Object.values(profiles).some((profile) => profile.provider === name);
          return html`<tr data-provider=${name}><td>${name}</td>
            <td><span class="pill ${keyed || profiled ? "ok" : ""}">${keyed ? "API key set" : profiled ? "auth profile" : "key from environment or none"}</span></td>
            <td class="optional muted">${String(provider.baseUrl ?? "")}</td></tr>`;
        })}</tbody></table>
      </section>
      <section class="card">
        <h3>Default model and fallbacks</h3>
        <form class="row" @submit=${(e: Event) => this.save(e)}>
          <input name="primary" list="model-ids" class="grow" .value=${current.primary ?? ""} placeholder="provider/model" required />
          <input name="fallbacks" class="grow" .value=${(current.fallbacks ?? []).join(", ")} placeholder="fallbacks, comma-separated" />
          <datalist id="model-ids">${this.models.map((model) => html`<option value=${`${model.provider}/${model.id}`}></option>`)}</datalist>
          <button type="submit">Save</button>
        </form>
      </section>
      <section class="card table-wrap">
        <h3>Available models</h3>
        <table><thead><tr><th>Model</th><th>Provider</th><th class="optional">Context</th></tr></thead>
          <tbody>${this.models.map((model) => html`<tr><td>${model.name ?? model.id}</td><td>${model.provider}</td><td class="optional">${model.contextWindow ?? "—"}</td></tr>`)}</tbody></table>
      </section>`;
  }
}

customElements.define("oc-page-models", ModelsPage);
