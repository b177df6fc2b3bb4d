import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Started, startGateway, TOKEN } from "./helpers.js";

// The Control UI's static files: served from the build directory the app passes
// (controlUiRoot), SPA routes fall back to index.html, nothing outside the build is reachable,
// and a gateway without a build says how to make one.
let root: string;
let gw: Started;
let base: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "openclaw-ui-build-"));
  await mkdir(join(root, "assets"));
  await writeFile(
    join(root, "index.html"),
    "<!doctype html><title>OpenClaw Control</title><oc-app></oc-app>",
  );
  await writeFile(join(root, "assets", "index-abc123.js"), "console.log('ui');");
  await writeFile(join(root, "..", "openclaw-ui-secret.txt"), "not for the browser");
  gw = await startGateway({ gateway: { auth: { mode: "token", token: TOKEN } } }, { controlUiRoot: root });
  base = gw.address.httpUrl.replace(/\/$/, "");
});

afterAll(async () => {
  await gw.stop();
  await rm(root, { recursive: true, force: true });
  await rm(join(root, "..", "openclaw-ui-secret.txt"), { force: true });
});

/** A raw GET, so `..` segments reach the server as typed (fetch would normalise them). */
function rawGet(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}/`, { path, method: "GET" }, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("Control UI files", () => {
  it("serves index.html at / with a CSP that keeps scripts and sockets on this origin", async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("<oc-app>");
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toMatch(/connect-src[^;]*ws:/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("cache-control")).toBe("no-cache");
  });

  it("serves hashed assets with a long cache, SPA routes with index.html, a missing asset as 404", async () => {
    const asset = await fetch(`${base}/assets/index-abc123.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-type")).toMatch(/text\/javascript/);
    expect(asset.headers.get("cache-control")).toContain("immutable");
    expect(await asset.text()).toBe("console.log('ui');");
    const route = await fetch(`${base}/sessions`);
    expect(await route.text()).toContain("<oc-app>");
    expect((await fetch(`${base}/assets/missing.js`)).status).toBe(404);
    const head = await fetch(`${base}/`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
  });

  it("never serves a file outside the build directory", async () => {
    for (const path of [
      "/../openclaw-ui-secret.txt",
      "/%2e%2e/openclaw-ui-secret.txt",
      "/assets/..%2f..%2fopenclaw-ui-secret.txt",
    ]) {
      const res = await rawGet(path);
      expect(res.body).not.toContain("not for the browser");
    }
  });
});

describe("Control UI without a build, with a base path, switched off", () => {
  it("says how to build the UI when there is none", async () => {
    const bare = await startGateway();
    try {
      const res = await fetch(bare.address.httpUrl);
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).toContain("Control UI is not built");
      expect(text).toContain("pnpm --filter @openclaw/control-ui build");
      expect((await fetch(`${bare.address.httpUrl}health`)).status).toBe(200);
    } finally {
      await bare.stop();
    }
  });

  it("gateway.controlUi.basePath moves the UI; gateway.controlUi.enabled: false turns it off", async () => {
    const moved = await startGateway(
      { gateway: { auth: { mode: "token", token: TOKEN }, controlUi: { basePath: "/ui" } } },
      { controlUiRoot: root },
    );
    const off = await startGateway(
      { gateway: { auth: { mode: "token", token: TOKEN }, controlUi: { enabled: false } } },
      { controlUiRoot: root },
    );
    try {
      const url = moved.address.httpUrl.replace(/\/$/, "");
      expect(await (await fetch(`${url}/ui/`)).text()).toContain("<oc-app>");
      expect((await fetch(`${url}/ui/assets/index-abc123.js`)).status).toBe(200);
      const bounce = await fetch(`${url}/ui`, { redirect: "manual" });
      expect(bounce.status).toBe(308);
      expect(bounce.headers.get("location")).toBe("/ui/");
      expect((await fetch(`${url}/assets/index-abc123.js`)).status).toBe(404);
      const disabled = await fetch(off.address.httpUrl);
      expect(disabled.status).toBe(404);
      expect(await disabled.text()).toContain("gateway.controlUi.enabled: false");
    } finally {
      await moved.stop();
      await off.stop();
    }
  });
});
