// Build artifacts generated from the registries: protocol.schema.json and the tables in
// docs/protocol.md. Not part of the public API; `pnpm --filter @openclaw/protocol gen` writes them
// and codegen.test.ts fails when the committed copies drift.
import { z } from "zod";
import { ErrorShapeSchema } from "./errors.js";
import { EVENTS } from "./events.js";
import { EventFrameSchema, GatewayFrameSchema, RequestFrameSchema, ResponseFrameSchema } from "./frames.js";
import { ConnectChallengePayloadSchema, ConnectParamsSchema, HelloOkSchema } from "./handshake.js";
import { PROTOCOL_VERSION, PROTOCOL_VERSIONS } from "./limits.js";
import { METHODS } from "./methods.js";

type JsonSchema = Record<string, unknown>;

function toSchema(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const json = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as JsonSchema;
  delete json.$schema;
  return json;
}

/** The JSON Schema document of the whole wire protocol. */
export function buildProtocolJsonSchema(): JsonSchema {
  const methods: Record<string, JsonSchema> = {};
  for (const [name, spec] of Object.entries(METHODS)) {
    methods[name] = {
      scope: spec.scope,
      sideEffect: spec.sideEffect,
      description: spec.description,
      params: toSchema(spec.params, "input"),
      result: toSchema(spec.result, "output"),
    };
  }
  const events: Record<string, JsonSchema> = {};
  for (const [name, spec] of Object.entries(EVENTS)) {
    events[name] = {
      audience: spec.audience,
      description: spec.description,
      payload: toSchema(spec.payload, "output"),
    };
  }
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    title: "OpenClaw Gateway WebSocket protocol",
    protocolVersion: PROTOCOL_VERSION,
    supportedProtocolVersions: [...PROTOCOL_VERSIONS],
    $defs: {
      GatewayFrame: toSchema(GatewayFrameSchema, "output"),
      RequestFrame: toSchema(RequestFrameSchema, "output"),
      ResponseFrame: toSchema(ResponseFrameSchema, "output"),
      EventFrame: toSchema(EventFrameSchema, "output"),
      ErrorShape: toSchema(ErrorShapeSchema, "output"),
      ConnectChallengePayload: toSchema(ConnectChallengePayloadSchema, "output"),
      ConnectParams: toSchema(ConnectParamsSchema, "input"),
      HelloOk: toSchema(HelloOkSchema, "output"),
    },
    methods,
    events,
  };
}

export function protocolJsonSchemaText(): string {
  return `${JSON.stringify(buildProtocolJsonSchema(), null, 2)}\n`;
}

export const GENERATED_BEGIN = "<!-- BEGIN GENERATED: pnpm --filter @openclaw/protocol gen -->";
export const GENERATED_END = "<!-- END GENERATED -->";

const cell = (text: string) => text.replace(/\|/g, "\\|");

/** The Markdown tables of methods and events. */
export function protocolTablesMarkdown(): string {
  const lines = [
    "### Methods",
    "",
    "| method | scope | side effect | params (required) | what it does |",
    "|---|---|---|---|---|",
  ];
  for (const [name, spec] of Object.entries(METHODS)) {
    const schema = toSchema(spec.params, "input") as { required?: string[] };
    const required = schema.required?.length ? schema.required.map((key) => `\`${key}\``).join(", ") : "—";
    lines.push(
      `| \`${name}\` | \`${spec.scope}\` | ${spec.sideEffect ? "yes" : "no"} | ${required} | ${cell(spec.description)} |`,
    );
  }
  lines.push("", "### Events", "", "| event | audience | what it means |", "|---|---|---|");
  for (const [name, spec] of Object.entries(EVENTS)) {
    lines.push(`| \`${name}\` | \`${spec.audience}\` | ${cell(spec.description)} |`);
  }
  return lines.join("\n");
}

/** Replace the generated block of docs/protocol.md (everything between the markers). */
export function updateProtocolDoc(current: string): string {
  const begin = current.indexOf(GENERATED_BEGIN);
  const end = current.indexOf(GENERATED_END);
  if (begin < 0 || end < begin) throw new Error("docs/protocol.md: generated markers not found");
  return `${current.slice(0, begin + GENERATED_BEGIN.length)}\n${protocolTablesMarkdown()}\n${current.slice(end)}`;
}
