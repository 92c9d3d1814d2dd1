import { defineConfig } from "tsdown";

const external = [/^@dojoengine\//, /^react/, /^zustand/, /^node:/, "better-sqlite3", /^@scure\//];

export const config = defineConfig([
  {
    // The SDK: browser and Node, ESM and CJS.
    // The testing kit's browser-safe part (Blitz components, map layers) ships with the SDK build: a Vite app imports it.
    entry: { index: "src/index.ts", "core/index": "src/sync/index.ts", "testing/browser": "src/testing/browser.ts" },
    format: ["esm", "cjs"],
    dts: true,
    platform: "neutral",
    target: "es2022",
    sourcemap: true,
    clean: false,
    external,
  },
  {
    // The testing kit: Node only and ESM only (@dojoengine/grpc cannot be required, the wasm loader uses import.meta.url).
    entry: { "testing/index": "src/testing/index.ts" },
    format: ["esm"],
    dts: true,
    platform: "node",
    target: "es2022",
    sourcemap: true,
    clean: false,
    external,
    outExtensions: () => ({ js: ".mjs", dts: ".d.mts" }),
  },
]);

export default config;
