import { html, nothing } from "lit";
import { Page, textOf } from "../page.js";

interface Tool {
  id: string;
  name: string;
  done: boolean;
  result?: string;
  isError?: boolean;
}
interface Line {
  role: "user" | "assistant" | "system" | "error";
  text: string;
  tools?: Tool[];
  /** A chat command or its reply (answered by the gateway, not the model). */
  command?: boolean;
}
interface ChatEvent {
  runId: string;
  sessionKey: string;
  state: "delta" | "final" | "aborted" | "error";
  deltaText?: string;
  replace?: boolean;
  message?: unknown;
  errorMessage?: string;
}
interface AgentEvent {
  runId: string;
  stream: string;
  sessionKey?: string;
  data: { phase?: string; name?: string; toolCallId?: string; result?: unknown; isError?: boolean };
}
interface HistoryMessage {
  role: string;
  content?: unknown;
  toolName?: string;
  command?: boolean;
}

/** A user message's text, with one `[image]` per image it carried (history leaves the data out). */
function userLineText(message: HistoryMessage): string {
  const images = Array.isArray(message.content)
    ? (message.content as { type?: string }[]).filter((part) => part?.type === "image").length
    : 0;
  const text = textOf(message);
  return images ? `${text}${text ? "\n" : ""}${Array(images).fill("[image]").join(" ")}` : text;
}

/** Chat: pick agent and session, stream the reply, abort, slash commands, attachments, folded tool calls. */
export class ChatPage extends Page {
  static override properties = {
    ...Page.properties,
    agents: { state: true },
    sessions: { state: true },
    sessionKey: { state: true },
    lines: { state: true },
    live: { state: true },
    files: { state: true },
  };
  declare agents: { id: string; name?: string }[];
  declare sessions: { key: string; displayName?: string }[];
  declare sessionKey: string;
  declare lines: Line[];
  /** The reply being streamed, with the run it belongs to. */
  declare live: (Line & { runId: string }) | undefined;
  declare files: File[];
  private unsubscribe: (() => void)[] = [];

  constructor() {
    super();
    this.agents = [];
    this.sessions = [];
    this.sessionKey = "";
    this.lines = [];
    this.live = undefined;
    this.files = [];
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.unsubscribe = [
      this.conn.on("chat", (payload) => this.onChat(payload as ChatEvent)),
      this.conn.on("agent", (payload) => this.onAgent(payload as AgentEvent)),
    ];
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const off of this.unsubscribe.splice(0)) off();
  }

  protected override async load(): Promise<void> {
    const defaults = (this.conn.hello?.snapshot as { sessionDefaults?: { mainSessionKey?: string } })
      ?.sessionDefaults;
    this.sessionKey ||= defaults?.mainSessionKey ?? "agent:main:main";
    const [agents, sessions] = await Promise.all([
      this.conn.has("agents.list")
        ? this.conn.request<{ agents: { id: string; name?: string }[] }>("agents.list", {})
        : { agents: [] },
      this.conn.request<{ sessions: { key: string; displayName?: string }[] }>("sessions.list", {
        limit: 50,
      }),
    ]);
    this.agents = agents.agents;
    this.sessions = sessions.sessions;
    await this.loadHistory();
  }

  private async loadHistory(): Promise<void> {
    const history = await this.conn.request<{ messages: HistoryMessage[] }>("chat.history", {
      sessionKey: this.sessionKey,
      limit: 200,
    });
    const lines: Line[] = [];
    for (const message of history.messages) {
      const command = message.command === true ? { command: true } : {};
      if (message.role === "user") lines.push({ role: "user", text: userLineText(message), ...command });
      else if (message.role === "assistant") {
        const text = textOf(message);
        const calls = Array.isArray(message.content)
          ? (message.content as { type: string; name?: string; id?: string }[]).filter(
              (part) => part.type === "toolCall",
            )
          : [];
        lines.push({
          role: "assistant",
          text,
          ...command,
          tools: calls.map((call) => ({ id: call.id ?? "", name: call.name ?? "tool", done: true })),
        });
      } else if (message.role === "toolResult") {
        const owner = [...lines].reverse().find((line) => line.tools?.length);
        const tool = owner?.tools?.find((candidate) => !candidate.result);
        if (tool) tool.result = textOf(message).slice(0, 2000);
      }
    }
    this.lines = lines.filter((line) => line.text || line.tools?.length);
  }

  private onChat(event: ChatEvent): void {
    if (event.sessionKey !== this.sessionKey) return;
    const live =
      this.live?.runId === event.runId
        ? this.live
        : { runId: event.runId, role: "assistant" as const, text: "", tools: [] };
    if (event.state === "delta") {
      this.live = {
        ...live,
        text: event.replace ? (event.deltaText ?? "") : live.text + (event.deltaText ?? ""),
      };
      return;
    }
    const text =
      event.state === "error" ? (event.errorMessage ?? "the run failed") : textOf(event.message) || live.text;
    const line: Line =
      event.state === "error"
        ? { role: "error", text }
        : {
            role: "assistant",
            text: event.state === "aborted" ? `${text} [aborted]` : text,
            tools: live.tools ?? [],
            ...((event.message as { command?: unknown } | undefined)?.command === true
              ? { command: true }
              : {}),
          };
    if (line.text || line.tools?.length) this.lines = [...this.lines, line];
    this.live = undefined;
  }

  private onAgent(event: AgentEvent): void {
    if (event.stream !== "tool" || (event.sessionKey && event.sessionKey !== this.sessionKey)) return;
    const live =
      this.live?.runId === event.runId
        ? this.live
        : { runId: event.runId, role: "assistant" as const, text: "", tools: [] };
    const tools = [...(live.tools ?? [])];
    const id = event.data.toolCallId ?? String(tools.length);
    const index = tools.findIndex((tool) => tool.id === id);
    const result =
      event.data.result === undefined ? undefined : JSON.stringify(event.data.result).slice(0, 2000);
    const tool: Tool = {
      id,
      name: event.data.name ?? "tool",
      done: event.data.phase === "result",
      ...(result ? { result } : {}),
      ...(event.data.isError ? { isError: true } : {}),
    };
    if (index >= 0) tools[index] = tool;
    else tools.push(tool);
    this.live = { ...live, tools };
  }

  private async send(event: Event): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const input = form.elements.namedItem("message") as HTMLTextAreaElement;
    const typed = input.value.trim();
    if (!typed && this.files.length === 0) return;
    // text files go inline (every model reads them); other files as attachments
    const inline = this.files.filter(isTextFile);
    const binary = this.files.filter((file) => !isTextFile(file));
    const blocks = await Promise.all(
      inline.map(
        async (file) =>
          `\n\n[attached file ${file.name}]\n\`\`\`\n${(await file.text()).slice(0, MAX_INLINE)}\n\`\`\``,
      ),
    );
    const message = `${typed}${blocks.join("")}`.trim();
    const attachments = await Promise.all(binary.map(readAttachment));
    const names = this.files.map((file) => file.name);
    await this.guard(async () => {
      this.lines = [
        ...this.lines,
        {
          role: "user",
          text: `${typed}${names.length ? `${typed ? "\n" : ""}[attached: ${names.join(", ")}]` : ""}`,
        },
      ];
      input.value = "";
      this.files = [];
      const accepted = await this.conn.request<{ runId: string }>("chat.send", {
        sessionKey: this.sessionKey,
        message,
        ...(attachments.length ? { attachments } : {}),
        idempotencyKey: crypto.randomUUID(),
      });
      this.live ??= { runId: accepted.runId, role: "assistant", text: "", tools: [] };
    });
  }

  private async abort(): Promise<void> {
    await this.guard(() =>
      this.conn.request("chat.abort", {
        sessionKey: this.sessionKey,
        ...(this.live ? { runId: this.live.runId } : {}),
      }),
    );
  }

  private async pick(sessionKey: string): Promise<void> {
    this.sessionKey = sessionKey;
    this.live = undefined;
    await this.guard(() => this.loadHistory());
  }

  private pickAgent(agentId: string): void {
    void this.pick(`agent:${agentId}:main`);
  }

  protected override render() {
    const agentOf = this.sessionKey.split(":")[1] ?? "main";
    const keys = new Set([this.sessionKey, ...this.sessions.map((row) => row.key)]);
    return html`<section class="chat">
      <div class="row">
        <label>Agent
          <select name="agent" @change=${(e: Event) => this.pickAgent((e.target as HTMLSelectElement).value)}>
            ${(this.agents.length ? this.agents : [{ id: agentOf }]).map(
              (agent) =>
                html`<option value=${agent.id} ?selected=${agent.id === agentOf}>${agent.name ?? agent.id}</option>`,
            )}
          </select>
        </label>
        <label class="grow">Session
          <select name="session" @change=${(e: Event) => void this.pick((e.target as HTMLSelectElement).value)}>
            ${[...keys].map((key) => html`<option value=${key} ?selected=${key === this.sessionKey}>${key}</option>`)}
          </select>
        </label>
      </div>
      ${this.errorBox()}
      <div class="messages" aria-live="polite">
        ${this.lines.map((line) => renderLine(line))}
        ${this.live ? renderLine(this.live, true) : nothing}
        ${this.lines.length === 0 && !this.live ? html`<p class="muted">No messages yet. Say hello, or try /status.</p>` : nothing}
      </div>
      <form class="composer" @submit=${(e: Event) => void this.send(e)}>
        <textarea name="message" rows="2" placeholder="Message (Enter to send, Shift+Enter for a new line; /help for commands)"
          @keydown=${(e: KeyboardEvent) => {
            if (e.key === "Enter" && !e.shiftKey) {
              e.preventDefault();
              (e.target as HTMLTextAreaElement).form?.requestSubmit();
            }
          }}></textarea>
        <label class="secondary" title="Attach files">Attach<input type="file" multiple hidden
          @change=${(e: Event) => (this.files = [...((e.target as HTMLInputElement).files ?? [])])} /></label>
        ${this.live ? html`<button type="button" class="danger" @click=${() => void this.abort()}>Stop</button>` : nothing}
        <button type="submit">Send</button>
      </form>
      ${this.files.length ? html`<p class="muted">Attached: ${this.files.map((file) => file.name).join(", ")}</p>` : nothing}
    </section>`;
  }
}

function renderLine(line: Line, streaming = false) {
  return html`<div class="msg ${line.role}" data-role=${line.role} ?data-streaming=${streaming} ?data-command=${line.command === true}>
    ${line.tools?.map(
      (tool) => html`<details data-tool=${tool.name}>
        <summary>tool ${tool.name} · ${tool.done ? (tool.isError ? "failed" : "done") : "running…"}</summary>
        ${tool.result ? html`<pre>${tool.result}</pre>` : nothing}
      </details>`,
    )}<span class="text">${line.text}</span>${streaming ? html`<span class="muted"> ▍</span>` : nothing}
  </div>`;
}

/** Inline text files up to this many characters each. */
const MAX_INLINE = 100_000;

function isTextFile(file: File): boolean {
  return (
    file.type.startsWith("text/") ||
    /\.(md|txt|json|json5|ya?ml|csv|log|ts|js|py|sh|toml|ini|xml|html?)$/i.test(file.name)
  );
}

async function readAttachment(file: File) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = "";
  for (let index = 0; index < bytes.length; index += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(index, index + 0x8000));
  return {
    type: file.type.startsWith("image/") ? "image" : "file",
    mimeType: file.type || "application/octet-stream",
    fileName: file.name,
    content: btoa(binary),
  };
}

customElements.define("oc-page-chat", ChatPage);
