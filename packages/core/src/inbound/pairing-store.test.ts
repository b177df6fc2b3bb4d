import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { createFilePairingStore, PAIRING_CODE_ALPHABET } from "./pairing-store.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "openclaw-pairing-"));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

it("issues 8-character unambiguous codes, at most 3 pending per account, expiring after 1 h", async () => {
  let clock = Date.parse("2026-11-21T10:00:00Z");
  const store = createFilePairingStore({ stateDir: dir, now: () => clock });
  const codes: string[] = [];
  for (const id of ["1", "2", "3"]) {
    const result = await store.challenge("telegram", "default", { id });
    expect(result?.created).toBe(true);
    codes.push(result?.request.code ?? "");
  }
  for (const code of codes) expect(code).toMatch(new RegExp(`^[${PAIRING_CODE_ALPHABET}]{8}$`));
  expect(PAIRING_CODE_ALPHABET).not.toMatch(/[01IO]/);
  expect(await store.challenge("telegram", "default", { id: "4" })).toBeUndefined();
  expect(await store.challenge("telegram", "other", { id: "4" })).toMatchObject({ created: true });
  const again = await store.challenge("telegram", "default", { id: "1" });
  expect(again).toMatchObject({ created: false, request: { code: codes[0] } });
  clock += 60 * 60 * 1000 + 1;
  expect(await store.list("telegram")).toEqual([]);
  expect(await store.approve("telegram", codes[1] ?? "")).toBeUndefined();
  expect(await store.challenge("telegram", "default", { id: "4" })).toMatchObject({ created: true });
});
