import { builtinModules } from "node:module";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "vite";
import { describe, expect, it } from "vitest";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const testingDir = path.join(root, "src/testing");
const BROWSER_ENTRY = path.join(testingDir, "browser.ts");
const NODE_BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

/** What the browser entry may never reach, directly or through anything it imports. */
function forbiddenImport(source: string): string | undefined {
  if (source.startsWith("node:") || NODE_BUILTINS.has(source)) return "a Node builtin";
  if (source === "better-sqlite3" || source.startsWith("better-sqlite3/")) return "better-sqlite3";
  if (source === "@dojoengine/grpc" || source.startsWith("@dojoengine/grpc/")) return "@dojoengine/grpc";
  if (source.startsWith("@dojoengine/torii-wasm") || source.startsWith("@dojoengine/torii-client")) return "the wasm client";
  return undefined;
}

/** Every static import/export-from specifier of a TypeScript source, type-only ones included. */
function importsOf(file: string): string[] {
  const code = readFileSync(file, "utf8");
  return [...code.matchAll(/^\s*(?:import|export)\s[^;]*?\sfrom\s+["']([^"']+)["']/gms)].map((m) => m[1] as string);
}

function resolveRelative(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith(".")) return undefined;
  const base = path.resolve(path.dirname(from), specifier);
  for (const candidate of [`${base}.ts`, `${base}.tsx`, path.join(base, "index.ts")]) {
    try {
      readFileSync(candidate);
      return candidate;
    } catch {
      // Try the next form.
    }
  }
  throw new Error(`${path.relative(root, from)}: cannot resolve ${specifier}`);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith(".ts") ? [full] : [];
  });
}

describe("fake Torii kit: the browser-safe entry", () => {
  it("should bundle src/testing/browser.ts for the browser with Vite, reaching no Node builtin, better-sqlite3 or @dojoengine/grpc", async () => {
    const violations: string[] = [];
    const modules = new Set<string>();
    const guard: Plugin = {
      name: "browser-entry-guard",
      enforce: "pre",
      resolveId(source, importer) {
        const why = forbiddenImport(source);
        if (why !== undefined) violations.push(`${importer === undefined ? "entry" : path.relative(root, importer)} imports ${source} (${why})`);
        return null;
      },
      transform(code, id) {
        modules.add(id);
        // Our own modules must not read `process` either (a bundler does not define it in the browser).
        if (id.startsWith(path.join(root, "src")) && /\bprocess\s*\./.test(code)) violations.push(`${path.relative(root, id)} reads process`);
        return null;
      },
    };
    const outDir = mkdtempSync(path.join(root, "node_modules/.cache/tsg-browser-entry-"));
    try {
      await build({
        root,
        configFile: false,
        logLevel: "silent",
        plugins: [guard],
        build: {
          outDir,
          emptyOutDir: true,
          minify: false,
          copyPublicDir: false,
          lib: { entry: BROWSER_ENTRY, formats: ["es"], fileName: "browser" },
        },
      });
      const files = readdirSync(outDir).filter((name) => name.endsWith(".js"));
      expect(files.length).toBeGreaterThan(0);
      const output = files.map((name) => readFileSync(path.join(outDir, name), "utf8")).join("\n");
      expect(violations).toEqual([]);
      expect(output).not.toMatch(/from\s*["']node:|require\(["']node:|__vite-browser-external/);
      // Nor any dependency of theirs (RECS, rxjs): nothing in the bundle reads `process`.
      expect(output).not.toMatch(/\bprocess\s*\./);
      // The bundle holds the kit's schema and the RECS components, and none of the server.
      expect(output).toContain("defineBlitzComponents");
      const ours = [...modules].filter((id) => id.startsWith(testingDir)).map((id) => path.relative(testingDir, id));
      expect(ours.filter((file) => !file.startsWith("schema/") && file !== "browser.ts")).toEqual([]);
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  });

  it("should reach, through its static imports (type-only ones too), only browser-safe modules", () => {
    const seen = new Set<string>();
    const problems: string[] = [];
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const specifier of importsOf(file)) {
        const why = forbiddenImport(specifier);
        if (why !== undefined) problems.push(`${path.relative(root, file)} imports ${specifier} (${why})`);
        const next = resolveRelative(file, specifier);
        if (next !== undefined) visit(next);
      }
    };
    visit(BROWSER_ENTRY);
    expect(problems).toEqual([]);
    expect(seen.size).toBeGreaterThan(3);
  });

  it("should keep src/testing free of import cycles, and every file under 300 lines", () => {
    const files = sourceFiles(testingDir);
    const graph = new Map(files.map((file) => [file, importsOf(file).map((s) => resolveRelative(file, s)).filter((f): f is string => f !== undefined && f.startsWith(testingDir))]));
    const cycles: string[] = [];
    const state = new Map<string, "open" | "done">();
    const walk = (file: string, trail: string[]): void => {
      if (state.get(file) === "done") return;
      if (state.get(file) === "open") {
        cycles.push([...trail.slice(trail.indexOf(file)), file].map((f) => path.relative(testingDir, f)).join(" → "));
        return;
      }
      state.set(file, "open");
      for (const next of graph.get(file) ?? []) walk(next, [...trail, file]);
      state.set(file, "done");
    };
    for (const file of files) walk(file, []);
    expect(cycles).toEqual([]);
    const long = files.filter((file) => readFileSync(file, "utf8").split("\n").length > 300).map((file) => path.relative(root, file));
    expect(long).toEqual([]);
  });
});
