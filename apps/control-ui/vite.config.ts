import { defaultClientConditions, defineConfig } from "vite";

// Built to static files (dist/) the gateway serves at `/` (or gateway.controlUi.basePath): relative
// asset URLs, no inline scripts (the gateway's CSP allows only 'self' scripts), workspace packages
// bundled from their TypeScript sources.
export default defineConfig({
  base: "./",
  resolve: { conditions: ["@openclaw/source", ...defaultClientConditions] },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
    reportCompressedSize: false,
  },
});
