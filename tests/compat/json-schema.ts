// A small JSON Schema (draft-07) validator for the keywords OpenClaw's published
// protocol.schema.json uses (TypeBox output): type, const, enum, string/number/array/object
// bounds, properties/required/additionalProperties/patternProperties/propertyNames, items/
// additionalItems/contains, anyOf/oneOf/allOf/not, if/then/else, local $ref. `format`,
// `description` and vendor keywords are annotations. Test code only.

export type JsonSchema = boolean | { [keyword: string]: unknown };

type Json = unknown;

function typeOf(value: Json): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function typeMatches(value: Json, type: string): boolean {
  const actual = typeOf(value);
  return actual === type || (type === "number" && actual === "integer");
}

function equal(a: Json, b: Json): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export class SchemaValidator {
  constructor(private readonly root: { definitions?: Record<string, JsonSchema> }) {}

  /** Errors as `path: message` (empty when valid). */
  validate(value: Json, schema: JsonSchema, path = "$"): string[] {
    const errors: string[] = [];
    this.check(value, schema, path, errors);
    return errors;
  }

  definition(name: string): JsonSchema {
    const found = this.root.definitions?.[name];
    if (found === undefined) throw new Error(`no definition ${name} in the schema`);
    return found;
  }

  private check(value: Json, schema: JsonSchema, path: string, errors: string[]): void {
    if (schema === true) return;
    if (schema === false) {
      errors.push(`${path}: not allowed`);
      return;
    }
    const s = schema as Record<string, unknown>;
    if (typeof s.$ref === "string") {
      this.check(value, this.definition(s.$ref.replace("#/definitions/", "")), path, errors);
    }
    if (s.type !== undefined) {
      const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
      if (!types.some((type) => typeMatches(value, type))) {
        errors.push(`${path}: expected ${types.join("|")}, got ${typeOf(value)}`);
        return;
      }
    }
    if ("const" in s && !equal(value, s.const)) errors.push(`${path}: expected ${JSON.stringify(s.const)}`);
    if (Array.isArray(s.enum) && !s.enum.some((item) => equal(item, value)))
      errors.push(`${path}: not one of ${JSON.stringify(s.enum)}`);
    this.combinators(value, s, path, errors);
    if (typeof value === "string") this.string(value, s, path, errors);
    if (typeof value === "number") this.number(value, s, path, errors);
    if (Array.isArray(value)) this.array(value, s, path, errors);
    else if (typeOf(value) === "object") this.object(value as Record<string, Json>, s, path, errors);
  }

  private combinators(value: Json, s: Record<string, unknown>, path: string, errors: string[]): void {
    const passes = (schema: JsonSchema) => this.validate(value, schema, path).length === 0;
    if (Array.isArray(s.allOf))
      for (const part of s.allOf) this.check(value, part as JsonSchema, path, errors);
    if (Array.isArray(s.anyOf) && !s.anyOf.some((part) => passes(part as JsonSchema))) {
      const closest = (s.anyOf as JsonSchema[])
        .map((part) => this.validate(value, part, path))
        .sort((a, b) => a.length - b.length)[0];
      errors.push(`${path}: matches none of anyOf (closest: ${closest?.slice(0, 3).join("; ")})`);
    }
    if (Array.isArray(s.oneOf)) {
      const count = s.oneOf.filter((part) => passes(part as JsonSchema)).length;
      if (count !== 1) errors.push(`${path}: matches ${count} of oneOf`);
    }
    if (s.not !== undefined && passes(s.not as JsonSchema)) errors.push(`${path}: matches a 'not' schema`);
    if (s.if !== undefined) {
      const branch = passes(s.if as JsonSchema) ? s.then : s.else;
      if (branch !== undefined) this.check(value, branch as JsonSchema, path, errors);
    }
  }

  private string(value: string, s: Record<string, unknown>, path: string, errors: string[]): void {
    const length = [...value].length;
    if (typeof s.minLength === "number" && length < s.minLength)
      errors.push(`${path}: shorter than ${s.minLength}`);
    if (typeof s.maxLength === "number" && length > s.maxLength)
      errors.push(`${path}: longer than ${s.maxLength}`);
    if (typeof s.pattern === "string" && !new RegExp(s.pattern, "u").test(value))
      errors.push(`${path}: does not match ${s.pattern}`);
  }

  private number(value: number, s: Record<string, unknown>, path: string, errors: string[]): void {
    if (typeof s.minimum === "number" && value < s.minimum) errors.push(`${path}: below ${s.minimum}`);
    if (typeof s.maximum === "number" && value > s.maximum) errors.push(`${path}: above ${s.maximum}`);
    if (typeof s.exclusiveMinimum === "number" && value <= s.exclusiveMinimum)
      errors.push(`${path}: not above ${s.exclusiveMinimum}`);
    if (typeof s.exclusiveMaximum === "number" && value >= s.exclusiveMaximum)
      errors.push(`${path}: not below ${s.exclusiveMaximum}`);
  }

  private array(value: Json[], s: Record<string, unknown>, path: string, errors: string[]): void {
    if (typeof s.minItems === "number" && value.length < s.minItems)
      errors.push(`${path}: fewer than ${s.minItems} items`);
    if (typeof s.maxItems === "number" && value.length > s.maxItems)
      errors.push(`${path}: more than ${s.maxItems} items`);
    if (s.uniqueItems === true && new Set(value.map((item) => JSON.stringify(item))).size !== value.length)
      errors.push(`${path}: items not unique`);
    if (Array.isArray(s.items)) {
      s.items.forEach((item, index) => {
        if (index < value.length) this.check(value[index], item as JsonSchema, `${path}[${index}]`, errors);
      });
      if (s.additionalItems !== undefined)
        for (let index = s.items.length; index < value.length; index++)
          this.check(value[index], s.additionalItems as JsonSchema, `${path}[${index}]`, errors);
    } else if (s.items !== undefined)
      value.forEach((item, index) => {
        this.check(item, s.items as JsonSchema, `${path}[${index}]`, errors);
      });
    if (
      s.contains !== undefined &&
      !value.some((item) => this.validate(item, s.contains as JsonSchema).length === 0)
    )
      errors.push(`${path}: no item matches 'contains'`);
  }

  private object(
    value: Record<string, Json>,
    s: Record<string, unknown>,
    path: string,
    errors: string[],
  ): void {
    const keys = Object.keys(value);
    if (typeof s.minProperties === "number" && keys.length < s.minProperties)
      errors.push(`${path}: fewer than ${s.minProperties} properties`);
    if (typeof s.maxProperties === "number" && keys.length > s.maxProperties)
      errors.push(`${path}: more than ${s.maxProperties} properties`);
    for (const name of (s.required as string[] | undefined) ?? [])
      if (!(name in value)) errors.push(`${path}: missing required ${name}`);
    const properties = (s.properties ?? {}) as Record<string, JsonSchema>;
    const patterns = Object.entries((s.patternProperties ?? {}) as Record<string, JsonSchema>).map(
      ([pattern, schema]) => [new RegExp(pattern, "u"), schema] as const,
    );
    for (const key of keys) {
      const at = `${path}.${key}`;
      if (s.propertyNames !== undefined)
        this.check(key, s.propertyNames as JsonSchema, `${at} (name)`, errors);
      let matched = false;
      if (Object.hasOwn(properties, key)) {
        matched = true;
        this.check(value[key], properties[key]!, at, errors);
      }
      for (const [pattern, schema] of patterns)
        if (pattern.test(key)) {
          matched = true;
          this.check(value[key], schema, at, errors);
        }
      if (!matched && s.additionalProperties !== undefined) {
        if (s.additionalProperties === false) errors.push(`${at}: property not allowed`);
        else this.check(value[key], s.additionalProperties as JsonSchema, at, errors);
      }
    }
  }
}
