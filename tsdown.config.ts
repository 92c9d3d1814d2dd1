import { defineConfig } from "tsdown";

export const config = defineConfig({
  entry: { index: "src/index.ts", "core/index": "src/core/index.ts" },
  format: ["esm", "cjs"],
  dts: true,
  platform: "neutral",
  target: "es2022",
  sourcemap: true,
  clean: true,
  external: [/^@dojoengine\//, /^react/, /^zustand/, /^node:/, "better-sqlite3"],
});

export default config;
