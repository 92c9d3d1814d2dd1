import path from "node:path";
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";

const demoDir = path.dirname(fileURLToPath(import.meta.url));
const repoDir = path.resolve(demoDir, "../..");

/**
 * For a bare `vite` (npm run demo:vite): starts the fake Torii and mounts the control API on Vite's own server.
 * `startDemo()` owns them itself and runs Vite in middleware mode, where this plugin stands aside.
 */
function demoBackend(): Plugin {
  return {
    name: "torii-sync-guard-demo-backend",
    apply: "serve",
    async configureServer(server) {
      if (server.config.server.middlewareMode) return;
      // Loaded through Vite itself (TypeScript, Node externals), not bundled into this config.
      const { startDemoBackend } = (await server.ssrLoadModule(path.join(demoDir, "server/backend.ts"))) as typeof import("./server/backend");
      const backend = await startDemoBackend();
      server.middlewares.use((request, response, next) => {
        if (!backend.api(request, response)) next();
      });
      server.httpServer?.once("close", () => void backend.close());
    },
  };
}

// Vite reads the config's default export.
export default defineConfig({
  root: demoDir,
  // The demo imports the SDK by its package name, resolved to the sources so no build is needed. A game installs the
  // package and imports "torii-sync-guard" from node_modules instead.
  resolve: {
    alias: [
      { find: /^torii-sync-guard$/, replacement: path.join(repoDir, "src/index.ts") },
      { find: /^torii-sync-guard\/testing\/browser$/, replacement: path.join(repoDir, "src/testing/browser.ts") },
    ],
  },
  plugins: [react(), demoBackend()],
  // Its own dependency cache, apart from Storybook's and Vitest's.
  cacheDir: path.join(repoDir, "node_modules/.vite/torii-sync-guard-demo"),
  // The Torii client's wasm package must not be pre-bundled by the dev server, or the page stays blank
  // ("reading '__wbindgen_export_4'").
  optimizeDeps: { exclude: ["@dojoengine/torii-wasm"] },
  // es2022: the wasm package uses top-level await.
  // The bundle is a build cache, kept out of the sources (and of lint and git): served by `npm start`.
  build: { target: "es2022", outDir: path.join(repoDir, "node_modules/.cache/torii-sync-guard/demo-dist"), emptyOutDir: true, chunkSizeWarningLimit: 4_000 },
  server: { host: "127.0.0.1", port: 5175, strictPort: false },
  preview: { host: "127.0.0.1" },
  clearScreen: false,
});
