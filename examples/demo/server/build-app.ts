import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const DEMO_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const REPO_DIR = path.resolve(DEMO_DIR, "../..");
/** Where `vite build` puts the bundle (the `build.outDir` of vite.config.ts): a build cache, not a source. */
export const DIST_DIR = path.join(REPO_DIR, "node_modules/.cache/torii-sync-guard/demo-dist");
export const VITE_CONFIG = path.join(DEMO_DIR, "vite.config.ts");
const STAMP = path.join(DIST_DIR, ".demo-build.json");

/** Everything the bundle is made from: the app, the SDK's sources and the installed packages. */
const INPUTS = [
  path.join(DEMO_DIR, "index.html"),
  VITE_CONFIG,
  path.join(DEMO_DIR, "src"),
  path.join(DEMO_DIR, "shared"),
  path.join(REPO_DIR, "src"),
  path.join(REPO_DIR, "package-lock.json"),
];

export interface BuildResult {
  /** False when the bundle was already newer than every input. */
  readonly built: boolean;
  readonly ms: number;
}

/**
 * `vite build` of the demo app into DIST_DIR, skipped when the last build is newer than every input
 * (`force` builds anyway). Takes a few seconds; the stamp makes a second `npm start` instant.
 */
export async function buildDemoApp(options: { readonly force?: boolean; readonly quiet?: boolean } = {}): Promise<BuildResult> {
  const started = Date.now();
  const inputsMtimeMs = Math.max(...INPUTS.map(newestMtime));
  if (options.force !== true && stampedMtime() === inputsMtimeMs && existsSync(path.join(DIST_DIR, "index.html"))) {
    return { built: false, ms: Date.now() - started };
  }
  const { build } = await import("vite");
  await build({ configFile: VITE_CONFIG, logLevel: options.quiet === false ? "info" : "warn" });
  writeFileSync(STAMP, JSON.stringify({ inputsMtimeMs }));
  return { built: true, ms: Date.now() - started };
}

function stampedMtime(): number | undefined {
  try {
    return (JSON.parse(readFileSync(STAMP, "utf8")) as { inputsMtimeMs?: number }).inputsMtimeMs;
  } catch {
    return undefined;
  }
}

function newestMtime(target: string): number {
  let stat;
  try {
    stat = statSync(target);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  // A folder's own mtime changes when a file is added or removed.
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(target)) newest = Math.max(newest, newestMtime(path.join(target, entry)));
  return newest;
}
