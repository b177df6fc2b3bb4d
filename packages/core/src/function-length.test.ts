import path from "node:path";
import { describe, expect, it } from "vitest";
import { longFunctions } from "../../../scripts/function-length.js";

// Functions a reader can hold: nothing in core's sources spans more than ~150 lines. A factory
// that grows past it is several capabilities; split it (see docs/architecture.md).
const LIMIT = 150;

/** Known exceptions, each with its owner's reason; the list only shrinks (it is empty now). */
const KNOWN: Record<string, string> = {};

describe("core function length", () => {
  it(`has no function longer than ${LIMIT} lines outside the known exceptions`, () => {
    const found = longFunctions(path.join(import.meta.dirname), LIMIT)
      .map((fn) => `${fn.file} ${fn.name}`)
      .filter((name) => !(name in KNOWN));
    expect(found).toEqual([]);
  });
});
