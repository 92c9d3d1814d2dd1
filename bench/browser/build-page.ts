import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "vite";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../..");
/** A build cache, kept out of the sources (and of lint and git), like the demo's bundle. */
export const PAGE_DIR = path.join(repo, "node_modules/.cache/torii-sync-guard/bench-page");

/**
 * Bundle the bench page for production with the repo's own Vite (minified, `NODE_ENV=production`, es2022): the web
 * build of the SDK as a game ships it, with `@dojoengine/recs` and `@dojoengine/state` bundled in.
 */
export async function buildBenchPage(): Promise<string> {
  await build({
    configFile: false,
    root: here,
    mode: "production",
    logLevel: "warn",
    cacheDir: path.join(repo, "node_modules/.vite/torii-sync-guard-bench-page"),
    build: { target: "es2022", outDir: PAGE_DIR, emptyOutDir: true, chunkSizeWarningLimit: 4_000, reportCompressedSize: false },
  });
  return PAGE_DIR;
}
