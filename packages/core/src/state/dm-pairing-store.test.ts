import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import {
  createFilePairingStore,
  DM_PAIRING_CODE_ALPHABET as PAIRING_CODE_ALPHABET,
} from "./dm-pairing-store.js";

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

it("a non-default account's approval goes to its own allowFrom file; the account sees both files", async () => {
  const store = createFilePairingStore({ stateDir: dir });
  const work = await store.challenge("telegram", "work", { id: "77" });
  expect(await store.allowFrom("telegram", { accountId: "work", fresh: true })).toEqual([]);
  await store.approve("telegram", work!.request.code);
  const credentials = path.join(dir, "credentials");
  expect(await store.allowFrom("telegram", { accountId: "work", fresh: true })).toEqual(["77"]);
  // the default account is not widened by another account's approval
  expect(await store.allowFrom("telegram", { fresh: true })).toEqual([]);
  // a sender approved on the channel-level file (as OpenClaw writes for "default") counts everywhere
  await writeFile(
    path.join(credentials, "telegram-allowFrom.json"),
    JSON.stringify({ version: 1, allowFrom: ["1"] }),
  );
  expect(await store.allowFrom("telegram", { accountId: "work", fresh: true })).toEqual(["1", "77"]);
});

it("allowFrom reuses a recent read, but a fresh read sees another process's approval", async () => {
  let clock = Date.parse("2026-11-21T10:00:00Z");
  const gateway = createFilePairingStore({ stateDir: dir, now: () => clock });
  const cli = createFilePairingStore({ stateDir: dir, now: () => clock });
  const request = await gateway.challenge("telegram", "default", { id: "9" });
  expect(await gateway.allowFrom("telegram")).toEqual([]);
  await cli.approve("telegram", request!.request.code);
  expect(await gateway.allowFrom("telegram", { fresh: true })).toEqual(["9"]);
  clock += 1_000;
  expect(await gateway.allowFrom("telegram")).toEqual(["9"]);
});
