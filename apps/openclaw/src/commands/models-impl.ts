import type { KeyPath } from "@openclaw/core/config";

type Json = Record<string, unknown>;

function fail(message: string, code = 1): void {
  process.stderr.write(`${message}\n`);
  process.exitCode = code;
}

function print(text: string): void {
  process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
}

async function loaded() {
  const { loadConfig } = await import("@openclaw/core/config");
  return loadConfig({});
}

/** Run a config edit, reporting ConfigErrors as one clear line. */
async function edit(
  makeEdits: (parsed: Json) => { op: "set" | "unset"; path: KeyPath; value?: unknown }[],
  done: string,
): Promise<void> {
  const { editConfigFile, ConfigError } = await import("@openclaw/core/config");
  try {
    const result = await editConfigFile((parsed) => makeEdits(parsed) as never);
    print(`${done} (${result.path})`);
  } catch (error) {
    if (ConfigError.isInstance(error)) return fail(`openclaw models: ${error.message}`);
    throw error;
  }
}

function at(object: unknown, path: KeyPath): unknown {
  let current = object;
  for (const segment of path) {
    if (!current || typeof current !== "object") return undefined;
    current = (current as Json)[segment as string];
  }
  return current;
}

/** Validate a ref typed by the user (allowlist, alias), else print why and return undefined. */
async function checkRef(input: string, config: unknown): Promise<string | undefined> {
  const { resolveModelInput, formatModelRef, ModelRefError } = await import("@openclaw/core");
  try {
    return formatModelRef(resolveModelInput(input, config as never));
  } catch (error) {
    if (error instanceof ModelRefError) {
      fail(`openclaw models: ${error.message}`);
      return undefined;
    }
    throw error;
  }
}

export async function modelsList(options: { json?: boolean }): Promise<void> {
  const { config } = await loaded();
  const core = await import("@openclaw/core");
  const { primary, fallbacks } = core.agentModelConfig(config as never);
  const current = primary ?? core.DEFAULT_MODEL;
  const aliases = core.modelAliases(config as never);
  const aliasByRef = Object.fromEntries(Object.entries(aliases).map(([alias, ref]) => [ref, alias]));
  const refs = [
    ...new Set([
      current,
      ...fallbacks,
      ...Object.keys(core.modelCatalog(config as never)),
      ...core.configuredModelRefs(config as never),
    ]),
  ];
  const rows = refs.map((ref) => ({
    ref,
    alias: aliasByRef[ref],
    role: ref === current ? "default" : fallbacks.includes(ref) ? "fallback" : "",
  }));
  if (options.json)
    return print(
      JSON.stringify(
        { models: rows, allowlist: Object.keys(core.modelCatalog(config as never)).length > 0 },
        null,
        2,
      ),
    );
  for (const row of rows)
    print(`${row.ref}${row.alias ? `  (alias ${row.alias})` : ""}${row.role ? `  [${row.role}]` : ""}`);
  if (Object.keys(core.modelCatalog(config as never)).length === 0)
    print("\nNo allowlist (agents.defaults.models): any provider/model ref is accepted.");
}

export async function modelsStatus(options: { probe?: boolean; json?: boolean }): Promise<void> {
  const { openModelCaller } = await import("./model-call.js");
  const caller = await openModelCaller();
  const core = await import("@openclaw/core");
  const config = caller.config as never;
  const { refs, fallbacks } = caller;
  const providers = [...new Set(refs.map((ref) => core.parseModelRef(ref).provider))];
  const auth = await Promise.all(
    providers.map(async (provider) => ({ provider, ...(await caller.auth(provider)) })),
  );
  const probes: { ref: string; ok: boolean; ms: number; detail: string }[] = [];
  if (options.probe) {
    for (const ref of refs) {
      const started = performance.now();
      try {
        const reply = await caller.call(ref, "Reply with the word OK.", {
          maxOutputTokens: 16,
          timeoutMs: 30_000,
        });
        const text = reply.text.trim();
        probes.push({
          ref,
          ok: true,
          ms: Math.round(performance.now() - started),
          detail: text.slice(0, 40) || "(empty reply)",
        });
      } catch (error) {
        probes.push({
          ref,
          ok: false,
          ms: Math.round(performance.now() - started),
          detail: (error as Error).message.split("\n").slice(0, 2).join(" "),
        });
      }
    }
  }
  if (options.json)
    return print(
      JSON.stringify(
        {
          default: refs[0],
          fallbacks,
          aliases: core.modelAliases(config),
          auth,
          ...(options.probe ? { probes } : {}),
        },
        null,
        2,
      ),
    );
  print(`Default model: ${refs[0]}`);
  print(`Fallbacks: ${fallbacks.length ? fallbacks.join(", ") : "(none)"}`);
  const aliases = Object.entries(core.modelAliases(config));
  print(
    `Aliases: ${aliases.length ? aliases.map(([alias, ref]) => `${alias} → ${ref}`).join(", ") : "(none)"}`,
  );
  print("Providers:");
  for (const entry of auth)
    print(
      `  ${entry.provider}: ${entry.problem ? `✗ ${entry.problem}` : entry.credentials.length ? `✓ ${entry.credentials.join(", ")}` : "✓ (no key needed)"}`,
    );
  if (options.probe) {
    print("Probe:");
    for (const probe of probes)
      print(`  ${probe.ref}: ${probe.ok ? "ok" : "FAILED"} (${probe.ms} ms) ${probe.detail}`);
  }
  if (auth.some((entry) => entry.problem) || probes.some((probe) => !probe.ok)) process.exitCode = 1;
}

const MODEL: KeyPath = ["agents", "defaults", "model"];

/** Current `agents.defaults.model` in the file, as `{ primary, fallbacks }`. */
function modelObject(parsed: Json): { primary?: string; fallbacks?: string[] } {
  const value = at(parsed, MODEL);
  if (typeof value === "string") return { primary: value };
  return value && typeof value === "object"
    ? { ...(value as { primary?: string; fallbacks?: string[] }) }
    : {};
}

export async function modelsSet(input: string): Promise<void> {
  const { config } = await loaded();
  const ref = await checkRef(input, config);
  if (!ref) return;
  await edit(
    (parsed) => [{ op: "set", path: MODEL, value: { ...modelObject(parsed), primary: ref } }],
    `Default model set to ${ref}`,
  );
}

export async function aliasesList(options: { json?: boolean }): Promise<void> {
  const { config } = await loaded();
  const { modelAliases } = await import("@openclaw/core");
  const aliases = modelAliases(config as never);
  if (options.json) return print(JSON.stringify(aliases, null, 2));
  const entries = Object.entries(aliases);
  if (!entries.length)
    return print("No aliases. Add one with `openclaw models aliases add <alias> <provider/model>`.");
  for (const [alias, ref] of entries) print(`${alias} → ${ref}`);
}

export async function aliasesAdd(alias: string, input: string): Promise<void> {
  if (!/^[a-z0-9][a-z0-9._-]*$/i.test(alias))
    return fail(`openclaw models: invalid alias "${alias}" (letters, digits, . _ -)`, 2);
  const { config } = await loaded();
  const { parseModelRef, formatModelRef, modelAliases } = await import("@openclaw/core");
  let ref: string;
  try {
    ref = formatModelRef(parseModelRef(input));
  } catch (error) {
    return fail(`openclaw models: ${(error as Error).message}`, 2);
  }
  const existing = modelAliases(config as never)[alias.toLowerCase()];
  await edit((parsed) => {
    const edits: { op: "set" | "unset"; path: KeyPath; value?: unknown }[] = [];
    if (existing && existing !== ref && at(parsed, ["agents", "defaults", "models", existing]))
      edits.push({ op: "unset", path: ["agents", "defaults", "models", existing, "alias"] });
    edits.push({ op: "set", path: ["agents", "defaults", "models", ref, "alias"], value: alias });
    return edits;
  }, `Alias ${alias} → ${ref}`);
}

export async function aliasesRemove(alias: string): Promise<void> {
  const { config } = await loaded();
  const { modelAliases } = await import("@openclaw/core");
  const ref = modelAliases(config as never)[alias.toLowerCase()];
  if (!ref) return fail(`openclaw models: no alias "${alias}"`);
  await edit(
    () => [{ op: "unset", path: ["agents", "defaults", "models", ref, "alias"] }],
    `Alias ${alias} removed`,
  );
}

export async function fallbacksList(options: { json?: boolean }): Promise<void> {
  const { config } = await loaded();
  const { agentModelConfig } = await import("@openclaw/core");
  const { fallbacks } = agentModelConfig(config as never);
  if (options.json) return print(JSON.stringify(fallbacks));
  print(
    fallbacks.length
      ? fallbacks.join("\n")
      : "No fallbacks. Add one with `openclaw models fallbacks add <provider/model>`.",
  );
}

export async function fallbacksAdd(input: string): Promise<void> {
  const { config } = await loaded();
  const ref = await checkRef(input, config);
  if (!ref) return;
  await edit((parsed) => {
    const model = modelObject(parsed);
    const list = [...(model.fallbacks ?? [])];
    if (!list.includes(ref)) list.push(ref);
    return [{ op: "set", path: MODEL, value: { ...model, fallbacks: list } }];
  }, `Fallback ${ref} added`);
}

export async function fallbacksRemove(input: string): Promise<void> {
  const { config } = await loaded();
  const { agentModelConfig } = await import("@openclaw/core");
  if (!agentModelConfig(config as never).fallbacks.includes(input))
    return fail(`openclaw models: ${input} is not a fallback`);
  await edit((parsed) => {
    const model = modelObject(parsed);
    return [
      {
        op: "set",
        path: MODEL,
        value: { ...model, fallbacks: (model.fallbacks ?? []).filter((ref) => ref !== input) },
      },
    ];
  }, `Fallback ${input} removed`);
}

export async function fallbacksClear(): Promise<void> {
  await edit(
    (parsed) => [{ op: "set", path: MODEL, value: { ...modelObject(parsed), fallbacks: [] } }],
    "Fallbacks cleared",
  );
}

/** One line from stdin, with `prompt` on a terminal. */
export async function readStdinLine(prompt = "Paste the key and press Enter: "): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write(prompt);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
    if (Buffer.concat(chunks).includes(10)) break;
  }
  return Buffer.concat(chunks).toString("utf8").split(/\r?\n/)[0] ?? "";
}

export async function authPasteToken(options: {
  provider: string;
  token?: string;
  profileId?: string;
  agent?: string;
}): Promise<void> {
  const provider = options.provider.trim().toLowerCase();
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(provider))
    return fail(`openclaw models auth: invalid provider id "${options.provider}"`, 2);
  const token = (options.token ?? (await readStdinLine())).trim();
  if (!token) return fail("openclaw models auth: no token given (pass --token or pipe it on stdin)", 2);
  if (/\s/.test(token))
    return fail("openclaw models auth: the token contains whitespace; paste only the key", 2);
  const { resolvePaths } = await import("@openclaw/core/config");
  const { createFileStateStore, AuthProfileStore } = await import("@openclaw/core/state");
  const paths = resolvePaths(process.env);
  const agentId = (options.agent ?? "main").toLowerCase();
  const store = new AuthProfileStore(createFileStateStore(paths.stateDir), agentId);
  const id = options.profileId ?? `${provider}:default`;
  // Anthropic setup-tokens are bearer tokens; everything else is an API key
  const credential = token.startsWith("sk-ant-oat")
    ? { type: "token" as const, provider, token }
    : { type: "api_key" as const, provider, key: token };
  await store.upsert(id, credential);
  print(
    `Stored ${credential.type === "token" ? "token" : "API key"} for ${provider} as profile ${id} in ${paths.agentDir(agentId)}/auth-profiles.json (mode 0600).`,
  );
  // an OpenClaw 2026.9 install in the same state dir reads profiles only from its database
  const { mirrorAuthProfilesToOpenClaw } = await import("@openclaw/core/migrate");
  const mirrored = await mirrorAuthProfilesToOpenClaw(paths.stateDir, agentId, await store.read()).catch(
    (error: Error) => ({ error }),
  );
  if ("error" in mirrored)
    print(`Note: could not also write it to OpenClaw's agent database: ${mirrored.error.message}`);
  else if (mirrored.database) print(`Also written to OpenClaw's auth store in ${mirrored.database}.`);
}
