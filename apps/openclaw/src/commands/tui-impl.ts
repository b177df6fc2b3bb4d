// `openclaw tui`: a terminal chat client over the gateway (@openclaw/client), drawn with
// @mariozechner/pi-tui (what OpenClaw's TUI uses). The screen is up before the connection is:
// messages stream in as `chat` deltas, Esc aborts the running reply, /sessions picks a session,
// other slash commands go to the gateway (their answers are shown), a status line shows the
// session, the model, tokens and the state.
import {
  Container,
  Editor,
  type EditorTheme,
  Key,
  matchesKey,
  ProcessTerminal,
  SelectList,
  type SelectListTheme,
  Text,
  TUI,
} from "@mariozechner/pi-tui";
import type { GatewayTarget } from "./gateway-local.js";

const ansi = (code: string) => (text: string) =>
  process.env.NO_COLOR ? text : `\x1b[${code}m${text}\x1b[0m`;
const dim = ansi("2");
const bold = ansi("1");
const cyan = ansi("36");
const red = ansi("31");

const selectTheme: SelectListTheme = {
  selectedPrefix: cyan,
  selectedText: bold,
  description: dim,
  scrollInfo: dim,
  noMatch: dim,
};
const editorTheme: EditorTheme = { borderColor: dim, selectList: selectTheme };

interface ChatEvent {
  runId: string;
  sessionKey: string;
  state: "delta" | "final" | "aborted" | "error";
  deltaText?: string;
  replace?: boolean;
  message?: { content?: { type: string; text?: string }[] | string };
  errorMessage?: string;
  usage?: { input?: number; output?: number; totalTokens?: number };
}

function textOf(message: ChatEvent["message"]): string {
  const content = message?.content;
  if (typeof content === "string") return content;
  return (content ?? []).map((part) => (part.type === "text" ? (part.text ?? "") : "")).join("");
}

export interface TuiOptions {
  target: GatewayTarget;
  session?: string;
  /** A first message to send once connected. */
  message?: string;
}

export async function runTui(options: TuiOptions): Promise<void> {
  const tui = new TUI(new ProcessTerminal());
  const header = new Text(
    bold("OpenClaw") + dim(`  ${options.target.url}   Esc: stop reply · /sessions · /quit`),
    1,
    0,
  );
  const messages = new Container();
  const status = new Text(dim("connecting…"), 1, 0);
  const editor = new Editor(tui, editorTheme);
  tui.addChild(header);
  tui.addChild(messages);
  tui.addChild(status);
  tui.addChild(editor);
  tui.setFocus(editor);
  tui.start();

  const state = {
    sessionKey: options.session ?? "agent:main:main",
    model: "",
    tokens: 0,
    phase: "connecting" as string,
    live: undefined as { runId: string; text: Text; body: string } | undefined,
  };
  const renderStatus = () => {
    status.setText(
      dim(`${state.sessionKey} · ${state.model || "model ?"} · ${state.tokens} tokens · `) +
        (state.phase === "error" || state.phase.startsWith("disconnected")
          ? red(state.phase)
          : cyan(state.phase)),
    );
    tui.requestRender();
  };
  const say = (text: string) => {
    messages.addChild(new Text(text, 1, 0));
    tui.requestRender();
  };

  const { GatewayClient } = await import("@openclaw/client");
  const { CLI_VERSION } = await import("../version.js");
  const client = new GatewayClient({
    url: options.target.url,
    auth: {
      ...(options.target.token ? { token: options.target.token } : {}),
      ...(options.target.password ? { password: options.target.password } : {}),
    },
    client: { id: "openclaw-tui", mode: "cli", version: CLI_VERSION, displayName: "TUI" },
    onDisconnected: (info) => {
      state.phase = info.willReconnect ? "disconnected: reconnecting…" : `disconnected: ${info.reason}`;
      renderStatus();
    },
    onConnected: () => {
      state.phase = "idle";
      renderStatus();
    },
  });

  const refreshStatus = async () => {
    try {
      const listed = (await client.request("sessions.list", { limit: 200 })) as {
        sessions: { key: string; model?: string; totalTokens?: number }[];
      };
      const row = listed.sessions.find((entry) => entry.key === state.sessionKey);
      state.model = row?.model ?? state.model;
      state.tokens = row?.totalTokens ?? state.tokens;
    } catch {}
    renderStatus();
  };

  client.on("chat", (payload) => {
    const event = payload as ChatEvent;
    if (event.sessionKey !== state.sessionKey) return;
    if (!state.live || state.live.runId !== event.runId) {
      const text = new Text("", 1, 0);
      messages.addChild(text);
      state.live = { runId: event.runId, text, body: "" };
    }
    const live = state.live;
    if (event.state === "delta") {
      live.body = event.replace ? (event.deltaText ?? "") : live.body + (event.deltaText ?? "");
      live.text.setText(`${cyan("assistant")} ${live.body}`);
      state.phase = "streaming…";
    } else {
      const final =
        event.state === "error" ? red(event.errorMessage ?? "failed") : textOf(event.message) || live.body;
      live.text.setText(`${cyan("assistant")} ${final}${event.state === "aborted" ? dim(" [aborted]") : ""}`);
      state.live = undefined;
      state.phase = event.state === "final" ? "idle" : event.state;
      void refreshStatus();
    }
    renderStatus();
  });

  const send = async (text: string) => {
    say(`${bold("you")} ${text}`);
    state.phase = "sending…";
    renderStatus();
    try {
      await client.request("chat.send", { sessionKey: state.sessionKey, message: text });
    } catch (error) {
      say(red(error instanceof Error ? error.message : String(error)));
      state.phase = "error";
      renderStatus();
    }
  };

  const pickSession = async () => {
    const listed = (await client.request("sessions.list", { limit: 50 })) as {
      sessions: { key: string; displayName?: string }[];
    };
    const list = new SelectList(
      listed.sessions.map((row) => ({ value: row.key, label: row.key, description: row.displayName ?? "" })),
      10,
      selectTheme,
    );
    const overlay = tui.showOverlay(list, { width: "80%", anchor: "center" });
    list.onSelect = (item) => {
      overlay.hide();
      tui.setFocus(editor);
      state.sessionKey = item.value;
      messages.clear();
      say(dim(`session ${item.value}`));
      void refreshStatus();
    };
    list.onCancel = () => {
      overlay.hide();
      tui.setFocus(editor);
    };
    tui.setFocus(list);
  };

  let quit: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    quit = resolve;
  });
  editor.onSubmit = (value) => {
    const text = value.trim();
    editor.setText("");
    if (!text) return;
    if (text === "/quit" || text === "/exit") return quit();
    if (text === "/sessions") return void pickSession().catch((error: Error) => say(red(error.message)));
    if (text.startsWith("/session ")) {
      state.sessionKey = text.slice(9).trim();
      say(dim(`session ${state.sessionKey}`));
      return void refreshStatus();
    }
    void send(text);
  };
  tui.addInputListener((data) => {
    if (matchesKey(data, Key.escape) && state.live) {
      void client
        .request("chat.abort", { sessionKey: state.sessionKey, runId: state.live.runId })
        .catch(() => undefined);
      state.phase = "aborting…";
      renderStatus();
      return { consume: true };
    }
    if (matchesKey(data, Key.ctrl("c")) || matchesKey(data, Key.ctrl("d"))) {
      quit();
      return { consume: true };
    }
    return undefined;
  });

  renderStatus();
  try {
    await client.connect();
    await refreshStatus();
    if (options.message) void send(options.message);
  } catch (error) {
    state.phase = "error";
    say(red(`gateway connection failed: ${error instanceof Error ? error.message : String(error)}`));
    say(dim("Is the gateway running? `openclaw gateway status`. /quit to leave."));
    renderStatus();
  }
  await done;
  tui.stop();
  await client.close().catch(() => undefined);
}
