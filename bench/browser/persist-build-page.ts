import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "vite";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../..");
/** A build cache, kept out of the sources (and of lint and git), like the burst page's. */
export const PERSIST_PAGE_DIR = path.join(repo, "node_modules/.cache/torii-sync-guard/bench-persist-page");
/** The page's file in that directory. */
export const PERSIST_PAGE = "persist.html";

/**
 * Bundle the persistence bench page (`persist.html`) for production with the repo's own Vite, as build-page.ts bundles
 * the burst page: minified, `NODE_ENV=production`, es2022, the web build of the SDK with `idb` and `@dojoengine/recs`.
 */
export async function buildPersistPage(): Promise<string> {
  await build({
    configFile: false,
    root: here,
    mode: "production",
    logLevel: "warn",
    cacheDir: path.join(repo, "node_modules/.vite/torii-sync-guard-bench-persist-page"),
    build: {
      target: "es2022",
      outDir: PERSIST_PAGE_DIR,
      emptyOutDir: true,
      chunkSizeWarningLimit: 4_000,
      reportCompressedSize: false,
      rollupOptions: { input: path.join(here, PERSIST_PAGE) },
    },
  });
  return PERSIST_PAGE_DIR;
}
