import { html, nothing } from "lit";
import { Page, unavailable, when } from "../page.js";

interface Job {
  id: string;
  name: string;
  enabled: boolean;
  schedule: { kind: string; expr?: string; everyMs?: number; at?: string };
  payload: { kind: string; message?: string; text?: string };
  state: { nextRunAtMs?: number; lastRunAtMs?: number; lastStatus?: string; lastError?: string };
}

function scheduleText(schedule: Job["schedule"]): string {
  if (schedule.kind === "cron") return `cron ${schedule.expr}`;
  if (schedule.kind === "every") return `every ${Math.round((schedule.everyMs ?? 0) / 60000)} min`;
  return `at ${schedule.at ?? "?"}`;
}

/** Automation: cron jobs (list, add, run now, enable/disable) and the heartbeat's last beat. */
export class AutomationPage extends Page {
  static override properties = {
    ...Page.properties,
    jobs: { state: true },
    status: { state: true },
    heartbeat: { state: true },
    notice: { state: true },
  };
  declare jobs: Job[];
  declare status: { enabled: boolean; jobs: number; nextWakeAtMs?: number | null } | undefined;
  declare heartbeat: { ts?: number; status?: string; preview?: string } | null | undefined;
  declare notice: string;

  constructor() {
    super();
    this.jobs = [];
    this.status = undefined;
    this.heartbeat = undefined;
    this.notice = "";
  }

  protected override async load(): Promise<void> {
    if (this.conn.has("cron.list")) {
      const [list, status] = await Promise.all([
        this.conn.request<{ jobs: Job[] }>("cron.list", { includeDisabled: true }),
        this.conn.request<AutomationPage["status"]>("cron.status", {}),
      ]);
      this.jobs = list.jobs;
      this.status = status;
    }
    if (this.conn.has("last-heartbeat")) this.heartbeat = await this.conn.request("last-heartbeat", {});
  }

  private async act(method: string, params: unknown, notice: string): Promise<void> {
    await this.guard(async () => {
      await this.conn.request(method, params);
      this.notice = notice;
      await this.load();
    });
  }

  private add(event: Event): void {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const every = Number(data.get("every"));
    const expr = String(data.get("expr") ?? "").trim();
    const job = {
      name: String(data.get("name")),
      enabled: true,
      schedule: expr ? { kind: "cron", expr } : { kind: "every", everyMs: Math.max(1, every) * 60_000 },
      sessionTarget: "isolated",
      wakeMode: "now",
      payload: { kind: "agentTurn", message: String(data.get("message")) },
    };
    void this.act("cron.add", job, `Added ${job.name}.`).then(() => form.reset());
  }

  protected override render() {
    return html`<h2>Automation</h2>
      ${this.errorBox()}
      ${this.notice ? html`<p class="notice">${this.notice}</p>` : nothing}
      ${
        unavailable(this.conn, "Cron", ["cron.list", "cron.add", "cron.run", "cron.update"]) ??
        html`<section class="card" data-section="cron">
        <h3>Cron jobs</h3>
        <p class="muted">Scheduler ${this.status?.enabled ? "on" : "off"} · ${this.status?.jobs ?? 0} job(s) · next wake ${when(this.status?.nextWakeAtMs ?? undefined)}</p>
        <div class="table-wrap"><table>
          <thead><tr><th>Job</th><th>Schedule</th><th class="optional">Last run</th><th class="optional">Next</th><th></th></tr></thead>
          <tbody>${this.jobs.map(
            (job) => html`<tr data-job=${job.name}>
              <td>${job.name}<br /><span class="muted">${job.payload.message ?? job.payload.text ?? job.payload.kind}</span></td>
              <td>${scheduleText(job.schedule)}</td>
              <td class="optional">${when(job.state.lastRunAtMs)} ${job.state.lastStatus ? html`<span class="pill ${job.state.lastStatus === "ok" ? "ok" : "bad"}">${job.state.lastStatus}</span>` : nothing}</td>
              <td class="optional">${job.enabled ? when(job.state.nextRunAtMs) : "disabled"}</td>
              <td class="row">
                <button class="secondary" @click=${() => void this.act("cron.run", { id: job.id, mode: "force" }, `Ran ${job.name}.`)}>Run now</button>
                <button class="secondary" @click=${() => void this.act("cron.update", { id: job.id, patch: { enabled: !job.enabled } }, `${job.enabled ? "Disabled" : "Enabled"} ${job.name}.`)}>${job.enabled ? "Disable" : "Enable"}</button>
              </td>
            </tr>`,
          )}</tbody>
        </table></div>
        <form class="row" @submit=${(e: Event) => this.add(e)}>
          <input name="name" placeholder="Job name" required />
          <input name="message" class="grow" placeholder="What the agent should do" required />
          <input name="every" type="number" min="1" value="60" title="every N minutes" style="width:6rem" />
          <input name="expr" placeholder="or cron: 0 9 * * *" style="width:10rem" />
          <button type="submit">Add job</button>
        </form>
      </section>`
      }
      <section class="card" data-section="heartbeat">
        <h3>Heartbeat</h3>
        ${
          this.heartbeat
            ? html`<p>Last beat ${when(this.heartbeat.ts)} — ${this.heartbeat.status ?? ""}</p>${this.heartbeat.preview ? html`<pre>${this.heartbeat.preview}</pre>` : nothing}`
            : html`<p class="muted">No heartbeat has run yet (agents.defaults.heartbeat.every sets the interval).</p>`
        }
      </section>`;
  }
}

customElements.define("oc-page-automation", AutomationPage);
