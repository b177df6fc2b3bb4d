// A form generated from config.schema's JSON Schema and its uiHints. What the form cannot show
// faithfully (a value that does not fit its schema, a construct it has no widget for) is reported
// with a reason, so the page can fall back to the raw JSON5 editor instead of guessing.
import { html, nothing, type TemplateResult } from "lit";

export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  default?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
}
export interface UiHint {
  label?: string;
  help?: string;
  sensitive?: boolean;
  placeholder?: string;
  order?: number;
}
export type UiHints = Record<string, UiHint>;

/** Keys whose values are secrets (shown as password fields when uiHints says nothing). */
const SECRET_KEY = /(token|password|secret|apikey|api_key|privatekey|credential)s?$/i;

type Kind = "string" | "number" | "integer" | "boolean" | "enum" | "list";

/** Why the form cannot edit `value` at `path` (undefined when it can). */
export function unrepresentable(schema: JsonSchema, value: unknown, path: string): string | undefined {
  const shape = pick(schema, value);
  if (!shape) return `${path}: the value ${describe(value)} does not match what the schema allows here`;
  if (shape === "object") {
    if (value === undefined) return undefined;
    if (typeof value !== "object" || value === null || Array.isArray(value))
      return `${path}: expected an object, the file has ${describe(value)}`;
    const object = objectSchema(schema)!;
    for (const [key, child] of Object.entries(value)) {
      const childSchema = object.properties?.[key] ?? recordSchema(object);
      if (!childSchema) return `${path}.${key}: not a key the schema knows`;
      const reason = unrepresentable(childSchema, child, `${path}.${key}`);
      if (reason) return reason;
    }
    return undefined;
  }
  if (shape === "unsupported")
    return `${path}: ${describe(value)} needs the raw editor (no form widget for it)`;
  return undefined;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (value === null) return "null";
  return typeof value === "object" ? "an object" : `${typeof value} ${JSON.stringify(value)}`;
}

function objectSchema(schema: JsonSchema): JsonSchema | undefined {
  if (schema.type === "object") return schema;
  return (schema.anyOf ?? schema.oneOf)?.find((branch) => branch.type === "object");
}

function recordSchema(schema: JsonSchema): JsonSchema | undefined {
  return typeof schema.additionalProperties === "object" ? schema.additionalProperties : undefined;
}

/** The widget for `schema` given the current value: a scalar kind, "object", or "unsupported". */
function pick(schema: JsonSchema, value: unknown): Kind | "object" | "unsupported" | undefined {
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches) {
    const fits = branches.map((branch) => pick(branch, value)).filter((kind) => kind !== undefined);
    if (value === undefined) {
      const scalar = fits.find((kind) => kind !== "object" && kind !== "unsupported");
      return scalar ?? fits[0];
    }
    return fits[0];
  }
  if (schema.enum) return value === undefined || schema.enum.includes(value) ? "enum" : undefined;
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
  if (type === "object") {
    if (value !== undefined && (typeof value !== "object" || value === null || Array.isArray(value)))
      return undefined;
    if (schema.properties || (recordSchema(schema)?.type === "object" && recordSchema(schema)?.properties))
      return "object";
    return "unsupported";
  }
  if (type === "array") {
    if (value !== undefined && !Array.isArray(value)) return undefined;
    const item = schema.items?.type;
    const scalarItems = item === "string" || item === "number" || item === "integer" || Array.isArray(item);
    if (!scalarItems) return "unsupported";
    return Array.isArray(value) && value.some((entry) => typeof entry === "object") ? undefined : "list";
  }
  if (type === "string" || type === "number" || type === "integer" || type === "boolean") {
    if (value === undefined) return type;
    const actual = typeof value === "number" ? (type === "integer" ? "integer" : "number") : typeof value;
    return actual === type || (type === "number" && typeof value === "number") ? type : undefined;
  }
  if (type === undefined && Object.keys(schema).length <= 1) return "unsupported";
  return "unsupported";
}

/** The hint for a path: exact, or with one segment as `*` (a channel id, a provider id). */
export function hintAt(hints: UiHints, path: string): UiHint | undefined {
  if (hints[path]) return hints[path];
  const segments = path.split(".");
  for (let index = segments.length - 1; index >= 0; index--) {
    const wild = [...segments.slice(0, index), "*", ...segments.slice(index + 1)].join(".");
    if (hints[wild]) return hints[wild];
  }
  return undefined;
}

function label(path: string, hints: UiHints): string {
  return hintAt(hints, path)?.label ?? path.split(".").at(-1) ?? path;
}

/** Render the fields of `schema` for `value` (the config's current value at `path`). */
export function renderFields(
  schema: JsonSchema,
  value: unknown,
  path: string,
  hints: UiHints,
  errors: Map<string, string>,
): TemplateResult {
  const kind = pick(schema, value);
  if (kind === "object") {
    const object = objectSchema(schema)!;
    const current = (value ?? {}) as Record<string, unknown>;
    const keys = object.properties
      ? Object.keys(object.properties).sort(
          (a, b) => (hints[`${path}.${a}`]?.order ?? 0) - (hints[`${path}.${b}`]?.order ?? 0),
        )
      : Object.keys(current);
    const childSchema = (key: string) => object.properties?.[key] ?? recordSchema(object)!;
    return html`<fieldset data-path=${path}>
      <legend>${label(path, hints)}</legend>
      ${hintAt(hints, path)?.help ? html`<p class="muted">${hintAt(hints, path)?.help}</p>` : nothing}
      ${keys.map((key) => renderFields(childSchema(key), current[key], `${path}.${key}`, hints, errors))}
    </fieldset>`;
  }
  if (kind === "unsupported" || kind === undefined) {
    return html`<div class="form-field" data-field=${path}>
      <span>${label(path, hints)}</span>
      <code class="muted">${value === undefined ? "(unset)" : JSON.stringify(value).slice(0, 120)} — edit in the raw editor</code>
    </div>`;
  }
  return scalarField(kind, schema, value, path, hints, errors.get(path));
}

function scalarField(
  kind: Kind,
  schema: JsonSchema,
  value: unknown,
  path: string,
  hints: UiHints,
  error: string | undefined,
): TemplateResult {
  const hint = hintAt(hints, path);
  const enumValues = (schema.anyOf ?? schema.oneOf)?.find((branch) => branch.enum)?.enum ?? schema.enum ?? [];
  const shown = value === undefined ? "" : kind === "list" ? (value as unknown[]).join(", ") : String(value);
  const fallback =
    schema.default !== undefined && typeof schema.default !== "object" ? String(schema.default) : "";
  let input: TemplateResult;
  if (kind === "enum" || kind === "boolean") {
    const options = kind === "boolean" ? ["true", "false"] : enumValues.map(String);
    input = html`<select id=${path} name=${path} data-kind=${kind} data-initial=${shown}>
      <option value="" ?selected=${shown === ""}>(default${fallback ? `: ${fallback}` : ""})</option>
      ${options.map((option) => html`<option value=${option} ?selected=${option === shown}>${option}</option>`)}
    </select>`;
  } else {
    const secret = hint?.sensitive ?? SECRET_KEY.test(path.split(".").at(-1) ?? "");
    const type = kind === "number" || kind === "integer" ? "number" : secret ? "password" : "text";
    input = html`<input id=${path} name=${path} type=${type} data-kind=${kind} data-initial=${shown} .value=${shown}
      placeholder=${hint?.placeholder ?? (fallback || (kind === "list" ? "comma-separated" : ""))}
      step=${kind === "integer" ? "1" : "any"} autocomplete="off" />`;
  }
  return html`<div class="form-field" data-field=${path}>
    <label for=${path}>${label(path, hints)}</label>
    ${input}
    ${hint?.help || schema.description ? html`<span class="hint">${hint?.help ?? schema.description}</span>` : nothing}
    ${error ? html`<span class="field-error" role="alert">${error}</span>` : nothing}
  </div>`;
}

/** The changed fields of a form as a config.patch object (`null` unsets a key). */
export function collectPatch(form: HTMLFormElement): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const element of form.querySelectorAll<HTMLInputElement | HTMLSelectElement>("[data-kind]")) {
    if (element.value === element.dataset.initial) continue;
    const kind = element.dataset.kind as Kind;
    const text = element.value.trim();
    let value: unknown = text === "" ? null : text;
    if (text !== "" && (kind === "number" || kind === "integer")) value = Number(text);
    if (text !== "" && kind === "boolean") value = text === "true";
    if (text !== "" && kind === "list")
      value = text
        .split(",")
        .map((entry) => entry.trim())
        .filter(Boolean);
    const keys = element.name.split(".");
    let node = patch;
    for (const key of keys.slice(0, -1)) {
      node[key] ??= {};
      node = node[key] as Record<string, unknown>;
    }
    node[keys.at(-1)!] = value;
  }
  return patch;
}
