// `pnpm --filter @openclaw/protocol gen`: write protocol.schema.json and the tables of docs/protocol.md.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { protocolJsonSchemaText, updateProtocolDoc } from "../src/codegen.js";

const packageDir = join(import.meta.dirname, "..");
const schemaPath = join(packageDir, "protocol.schema.json");
const docPath = join(packageDir, "..", "..", "docs", "protocol.md");

writeFileSync(schemaPath, protocolJsonSchemaText());
writeFileSync(docPath, updateProtocolDoc(readFileSync(docPath, "utf8")));
console.log(`wrote ${schemaPath}\nupdated ${docPath}`);
