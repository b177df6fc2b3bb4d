export { chunkForChannel, chunkFormattedText, sliceFormattedText } from "./chunk.js";
export { type MarkdownToIROptions, markdownToIR, type TableMode } from "./markdown-to-ir.js";
