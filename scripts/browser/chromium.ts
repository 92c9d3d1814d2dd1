/**
 * Which Chromium the browser tests (and any Playwright-driven script) launch, so that `npm install && npm test`
 * needs no browser from outside npm.
 *
 * Order: `CHROMIUM_PATH`; a system Chromium (`/usr/bin/chromium`, or `chromium`, `chromium-browser`, `google-chrome`
 * on PATH); Playwright's own cached browser; else the headless Chromium that `@sparticuz/chromium` ships inside its npm
 * package, unpacked once into `node_modules/.cache/torii-sync-guard/chromium-<version>` with its own NSS libraries and
 * fonts. `TSG_BROWSER=env|system|playwright|bundled` forces one source (and fails if it is not there).
 *
 * Node only; no dependency but `@sparticuz/chromium` (and its `tar-fs`), `playwright-core` is optional.
 */
import { spawnSync } from "node:child_process";
import { accessSync, createReadStream, createWriteStream, existsSync, constants as fsConstants, readFileSync, statSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { createBrotliDecompress } from "node:zlib";

/**
 * Always passed to Chromium. The resolver rule keeps it from reaching any host but this machine (without it, Chromium
 * keeps trying to resolve Google hosts); the rest turn off background traffic, the GPU and the sandbox (we run as root).
 */
export const CHROMIUM_ARGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
  "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
];

export type ChromiumSource = "env" | "system" | "playwright" | "bundled";

export interface ResolvedChromium {
  /** The binary to hand to Playwright's `launchOptions.executablePath`. */
  executablePath: string;
  /** {@link CHROMIUM_ARGS}, a fresh copy each call (Playwright providers may push to it). */
  args: string[];
  /**
   * Variables the browser needs on top of the usual environment (the bundled one: `LD_LIBRARY_PATH` for its NSS
   * libraries, `FONTCONFIG_PATH` for its fonts). Already applied to `process.env`, so a browser launched from this
   * process inherits them; pass `{ ...process.env, ...env }` as `launchOptions.env` only if you launch with your own env.
   */
  env?: Record<string, string>;
  source: ChromiumSource;
  /** What `--version` printed, e.g. "Chromium 153.0.8010.0". */
  version: string;
}

const SOURCES: readonly ChromiumSource[] = ["env", "system", "playwright", "bundled"];
const SYSTEM_NAMES = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];

let cached: Promise<ResolvedChromium> | undefined;

/** The Chromium to launch; resolved (and, for the bundled one, unpacked) once per process. */
export function resolveChromium(): Promise<ResolvedChromium> {
  cached ??= resolveUncached().catch((error: unknown) => {
    cached = undefined;
    throw error;
  });
  return cached.then((r) => ({ ...r, args: [...r.args], ...(r.env ? { env: { ...r.env } } : {}) }));
}

/** `resolveChromium()` shaped as Playwright's `launch()` options: `chromium.launch(await chromiumLaunchOptions())`. */
export async function chromiumLaunchOptions(): Promise<{ executablePath: string; args: string[]; headless: true; env: Record<string, string> }> {
  const r = await resolveChromium();
  return { executablePath: r.executablePath, args: r.args, headless: true, env: { ...stringEnv(process.env), ...r.env } };
}

async function resolveUncached(): Promise<ResolvedChromium> {
  const forced = process.env["TSG_BROWSER"]?.trim();
  if (forced && !SOURCES.includes(forced as ChromiumSource)) {
    throw new Error(`TSG_BROWSER=${forced}: expected one of ${SOURCES.join(", ")}`);
  }
  const only = forced as ChromiumSource | undefined;
  const tried: string[] = [];

  if (!only || only === "env") {
    const fromEnv = process.env["CHROMIUM_PATH"]?.trim();
    if (fromEnv) {
      // An explicit path is the user's word: a broken one is an error, not a reason to fall back.
      const version = probe(fromEnv);
      if (!version.ok) throw new Error(`CHROMIUM_PATH=${fromEnv} does not run: ${version.reason}`);
      return finish(fromEnv, "env", version.version);
    }
    tried.push("CHROMIUM_PATH is not set");
  }

  if (!only || only === "system") {
    for (const candidate of systemCandidates()) {
      const version = probe(candidate);
      if (version.ok) return finish(candidate, "system", version.version);
      tried.push(`${candidate}: ${version.reason}`);
    }
    if (!tried.some((t) => t.startsWith("/"))) tried.push("no system chromium");
  }

  if (!only || only === "playwright") {
    for (const candidate of await playwrightCandidates()) {
      if (!isExecutableFile(candidate)) {
        tried.push(`${candidate}: not installed`);
        continue;
      }
      const version = probe(candidate);
      if (version.ok) return finish(candidate, "playwright", version.version);
      tried.push(`${candidate}: ${version.reason}`);
    }
  }

  if (!only || only === "bundled") {
    let bundled: Bundled;
    try {
      bundled = await bundledChromium();
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new Error(only ? why : `no Chromium found (${tried.join("; ")}), and ${why}`, { cause: error });
    }
    return finish(bundled.executablePath, "bundled", bundled.version, bundled.env);
  }

  throw new Error(`TSG_BROWSER=${only}: no such browser here (${tried.join("; ")})`);
}

function finish(executablePath: string, source: ChromiumSource, version: string, env?: Record<string, string>): ResolvedChromium {
  if (env) applyEnv(env);
  return { executablePath, args: [...CHROMIUM_ARGS], source, version, ...(env ? { env } : {}) };
}

/** `/usr/bin/chromium` first, then the usual names on PATH; only executable regular files. */
function systemCandidates(): string[] {
  const found = new Set<string>();
  if (isExecutableFile("/usr/bin/chromium")) found.add("/usr/bin/chromium");
  const dirs = (process.env["PATH"] ?? "").split(path.delimiter).filter(Boolean);
  for (const name of SYSTEM_NAMES) {
    for (const dir of dirs) {
      const candidate = path.join(dir, name);
      if (isExecutableFile(candidate)) {
        found.add(candidate);
        break;
      }
    }
  }
  return [...found];
}

/** Playwright's cached browsers (`npx playwright install`), headless shell first; none when playwright-core is absent. */
async function playwrightCandidates(): Promise<string[]> {
  const out: string[] = [];
  try {
    // Internal but exported entry: the registry knows the headless shell as well as the full browser.
    const core = (await import("playwright-core/lib/coreBundle" as string)) as {
      registry?: { registry?: { findExecutable(name: string): { executablePath(): string | undefined } | undefined } };
    };
    for (const name of ["chromium-headless-shell", "chromium"]) {
      const p = core.registry?.registry?.findExecutable(name)?.executablePath();
      if (p) out.push(p);
    }
  } catch {
    // fall through to the public API
  }
  if (out.length === 0) {
    try {
      const { chromium } = (await import("playwright-core" as string)) as { chromium: { executablePath(): string } };
      out.push(chromium.executablePath());
    } catch {
      // no playwright-core: no Playwright browser
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------------
// The browser from the npm registry: @sparticuz/chromium.

interface Bundled {
  executablePath: string;
  version: string;
  env: Record<string, string>;
}

/** Where `@sparticuz/chromium` is installed, its version, and the folder its browser is unpacked to. */
export function bundledChromiumLocation(): { binDir: string; packageVersion: string; unpackDir: string; packageDir: string } {
  const require = createRequire(import.meta.url);
  let entry: string;
  try {
    entry = require.resolve("@sparticuz/chromium");
  } catch (error) {
    throw new Error(`@sparticuz/chromium is not installed (npm install): ${String(error)}`);
  }
  // <node_modules>/@sparticuz/chromium/build/index.js
  const packageDir = path.resolve(path.dirname(entry), "..");
  const nodeModules = path.resolve(packageDir, "..", "..");
  const pkg = JSON.parse(readFileSyncUtf8(path.join(packageDir, "package.json"))) as { version: string };
  const cacheRoot = process.env["TSG_BROWSER_CACHE_DIR"]?.trim() || path.join(nodeModules, ".cache", "torii-sync-guard");
  return {
    binDir: path.join(packageDir, "bin"),
    packageDir,
    packageVersion: pkg.version,
    unpackDir: path.join(cacheRoot, `chromium-${pkg.version}-${process.arch}`),
  };
}

async function bundledChromium(): Promise<Bundled> {
  if (process.platform !== "linux" || process.arch !== "x64") {
    throw new Error(`@sparticuz/chromium ships a linux x64 browser only; this is ${process.platform} ${process.arch}. Set CHROMIUM_PATH.`);
  }
  const loc = bundledChromiumLocation();
  const dir = loc.unpackDir;
  if (!isComplete(dir, loc.packageVersion)) await unpack(loc.binDir, loc.packageDir, dir, loc.packageVersion);

  const env = bundledEnv(dir);
  const executablePath = path.join(dir, "chromium");
  const version = probe(executablePath, env);
  if (!version.ok) throw new Error(`the bundled Chromium in ${dir} does not run: ${version.reason}`);
  return { executablePath, version: version.version, env };
}

/** What `setupLambdaEnvironment(<dir>/lib)` would set, pointed at our folder. */
function bundledEnv(dir: string): Record<string, string> {
  const lib = path.join(dir, "lib");
  const current = (process.env["LD_LIBRARY_PATH"] ?? "").split(":").filter((p) => p && p !== lib);
  const env: Record<string, string> = {
    LD_LIBRARY_PATH: [lib, ...new Set(current)].join(":"),
    FONTCONFIG_PATH: path.join(dir, "fonts"),
  };
  if (!process.env["HOME"]) env["HOME"] = dir;
  return env;
}

function applyEnv(env: Record<string, string>): void {
  for (const [key, value] of Object.entries(env)) process.env[key] = value;
}

const MARKER = ".unpacked";

function isComplete(dir: string, version: string): boolean {
  try {
    return readFileSyncUtf8(path.join(dir, MARKER)).trim() === version && isExecutableFile(path.join(dir, "chromium"));
  } catch {
    return false;
  }
}

/**
 * Unpacks the browser, its libraries (NSS, NSPR, expat), SwiftShader and fonts into a private temp folder next to
 * `dir`, then renames it into place: two processes racing both unpack, one rename wins, the other's copy is dropped.
 */
async function unpack(binDir: string, packageDir: string, dir: string, version: string): Promise<void> {
  const parent = path.dirname(dir);
  await mkdir(parent, { recursive: true });
  const staging = path.join(parent, `.${path.basename(dir)}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`);
  try {
    await mkdir(staging, { recursive: true });
    const tarExtractTo = tarExtract(packageDir);
    // chown off: as root tar-fs would give the files the packager's uid.
    const extract = (to: string) => tarExtractTo(to, { chown: false });
    const fromBrotli = (file: string) => createReadStream(path.join(binDir, file), { highWaterMark: 2 ** 22 }).pipe(createBrotliDecompress({ chunkSize: 2 ** 21 }));
    await Promise.all([
      pipeline(fromBrotli("chromium.br"), createWriteStream(path.join(staging, "chromium"), { mode: 0o755 })),
      // Chromium looks for libEGL/libGLESv2 next to its binary.
      pipeline(fromBrotli("swiftshader.tar.br"), extract(staging)),
      // lib/: libnss3, libnspr4, libexpat... built for Amazon Linux 2023 (glibc 2.34), fine on newer glibc.
      pipeline(fromBrotli("al2023.tar.br"), extract(staging)),
      // fonts/fonts.conf + fonts/fonts/Open_Sans/*.ttf
      pipeline(fromBrotli("fonts.tar.br"), extract(path.join(staging, "fonts"))),
    ]);
    // The shipped fonts.conf lists Lambda's folders (/tmp/fonts, /opt/fonts...): point it at ours, or text is invisible.
    await writeFile(path.join(staging, "fonts", "fonts.conf"), fontsConf(path.join(dir, "fonts", "fonts"), path.join(dir, "fonts-cache")));
    await writeFile(path.join(staging, MARKER), `${version}\n`);

    if (existsSync(dir)) {
      // An incomplete or other-version leftover (the version is in the name, so this is a broken one): replace it.
      if (isComplete(dir, version)) return;
      await rm(dir, { recursive: true, force: true });
    }
    try {
      await rename(staging, dir);
    } catch (error) {
      // Another process renamed its copy first.
      if (!isComplete(dir, version)) throw error;
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

function fontsConf(fontsDir: string, cacheDir: string): string {
  const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  return [
    `<?xml version="1.0"?>`,
    `<!DOCTYPE fontconfig SYSTEM "fonts.dtd">`,
    `<fontconfig>`,
    `  <dir>${esc(fontsDir)}</dir>`,
    `  <cachedir>${esc(cacheDir)}</cachedir>`,
    `  <config></config>`,
    `</fontconfig>`,
    ``,
  ].join("\n");
}

type TarExtract = (dir: string, options?: { chown?: boolean }) => NodeJS.WritableStream;

/** `tar-fs` as `@sparticuz/chromium` resolves it (its own dependency; another tar-fs may be hoisted at the top). */
function tarExtract(packageDir: string): TarExtract {
  const require = createRequire(path.join(packageDir, "package.json"));
  return (require("tar-fs") as { extract: TarExtract }).extract;
}

// ---------------------------------------------------------------------------------------------------------------------

function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Runs `<binary> --version`: proves it starts (its libraries load) before Playwright gets it. */
function probe(binary: string, extraEnv?: Record<string, string>): { ok: true; version: string } | { ok: false; reason: string } {
  if (!isExecutableFile(binary)) return { ok: false, reason: "not an executable file" };
  const result = spawnSync(binary, ["--version"], {
    encoding: "utf8",
    timeout: 15_000,
    env: { ...process.env, ...extraEnv },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const out = (result.stdout ?? "").trim();
  if (result.error) return { ok: false, reason: result.error.message };
  if (result.status !== 0 || !/\d+\.\d+/.test(out)) {
    const err = (result.stderr ?? "").trim().split("\n").slice(-2).join(" ");
    return { ok: false, reason: `--version exited ${String(result.status ?? result.signal)}${err ? `: ${err}` : ""}` };
  }
  return { ok: true, version: out.split("\n")[0] ?? out };
}

function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

function readFileSyncUtf8(file: string): string {
  return readFileSync(file, "utf8");
}
