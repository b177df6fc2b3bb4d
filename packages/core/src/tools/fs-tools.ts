import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { BUILTIN_TOOL_INPUT_SCHEMAS } from "./builtin-tool-schemas.js";
import { assertNotGatewaySecret } from "./gateway-secrets.js";
import { defineTool, type ToolContext, ToolError } from "./types.js";

export function resolveToolPath(workspaceDir: string, target: string): string {
  if (target.startsWith("~/")) target = path.join(process.env.HOME ?? "", target.slice(2));
  return path.resolve(workspaceDir, target);
}

/** The absolute path a file tool works on, refused when it is one of the gateway's secrets. */
function toolFile(target: string, context: ToolContext, tool: string): string {
  const file = resolveToolPath(context.workspaceDir, target);
  assertNotGatewaySecret(file, context, tool);
  return file;
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new ToolError("not_found", `File not found: ${file}`);
    if (code === "EISDIR") throw new ToolError("is_directory", `${file} is a directory, not a file`);
    throw new ToolError("read_failed", `Cannot read ${file}: ${(error as Error).message}`);
  }
}

export const readTool = defineTool({
  name: "read",
  description:
    "Read a text file. Relative paths resolve against the workspace. Use offset/limit (1-based lines) for big files.",
  parameters: async () => (await import("./tool-parameters.js")).readParameters,
  inputSchema: BUILTIN_TOOL_INPUT_SCHEMAS.read,
  async execute(params, context) {
    const file = toolFile(params.path, context, "read");
    const text = await readText(file);
    if (params.offset === undefined && params.limit === undefined) return { content: text };
    const lines = text.split("\n");
    const start = (params.offset ?? 1) - 1;
    const end = params.limit === undefined ? lines.length : start + params.limit;
    const slice = lines.slice(start, end).join("\n");
    const more =
      end < lines.length ? `\n[${lines.length - end} more lines; continue with offset=${end + 1}]` : "";
    return { content: slice + more };
  },
});

export const writeTool = defineTool({
  name: "write",
  description: "Create or overwrite a file with the given content. Parent directories are created.",
  parameters: async () => (await import("./tool-parameters.js")).writeParameters,
  inputSchema: BUILTIN_TOOL_INPUT_SCHEMAS.write,
  async execute(params, context) {
    const file = toolFile(params.path, context, "write");
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, params.content, "utf8");
    return { content: `Wrote ${Buffer.byteLength(params.content)} bytes to ${params.path}` };
  },
});

export const editTool = defineTool({
  name: "edit",
  description:
    "Replace an exact snippet of a file. oldText must match exactly once (whitespace included) unless replaceAll is true.",
  parameters: async () => (await import("./tool-parameters.js")).editParameters,
  inputSchema: BUILTIN_TOOL_INPUT_SCHEMAS.edit,
  async execute(params, context) {
    const file = toolFile(params.path, context, "edit");
    const text = await readText(file);
    const count = text.split(params.oldText).length - 1;
    if (count === 0)
      throw new ToolError(
        "no_match",
        `oldText was not found in ${params.path}; read the file and copy the text exactly`,
      );
    if (count > 1 && !params.replaceAll)
      throw new ToolError(
        "ambiguous_match",
        `oldText occurs ${count} times in ${params.path}; add surrounding context or set replaceAll`,
      );
    const updated = params.replaceAll
      ? text.split(params.oldText).join(params.newText)
      : text.replace(params.oldText, () => params.newText);
    await writeFile(file, updated, "utf8");
    return {
      content: `Edited ${params.path} (${params.replaceAll ? count : 1} replacement${count > 1 && params.replaceAll ? "s" : ""})`,
    };
  },
});
