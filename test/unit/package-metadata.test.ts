import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as {
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
};

/** Bare package names imported (at runtime, not `import type`) by the SDK's sources: every room but the testing kit. */
function packagesImported(folder: string): Set<string> {
  const found = new Set<string>();
  for (const name of readdirSync(folder)) {
    const file = path.join(folder, name);
    if (statSync(file).isDirectory()) {
      if (name !== "testing") for (const found2 of packagesImported(file)) found.add(found2);
      continue;
    }
    if (!/\.tsx?$/.test(name) || /\.stories\.tsx$/.test(name)) continue;
    const text = readFileSync(file, "utf8");
    for (const match of text.matchAll(/^import (?!type )[^;]*? from "([^".][^"]*)";/gm)) {
      const spec = match[1] as string;
      found.add(spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : (spec.split("/")[0] as string));
    }
  }
  return found;
}

describe("package metadata apps can trust", () => {
  const imported = packagesImported(path.join(root, "src"));
  const optional = (name: string) => pkg.peerDependenciesMeta?.[name]?.optional === true;

  it("should declare every package the SDK's entries import as a dependency or a peer", () => {
    for (const name of imported) expect(pkg.dependencies?.[name] ?? pkg.peerDependencies?.[name], name).toBeDefined();
  });

  it("should make the engine's own imports (zustand, RECS) required peers, not optional ones", () => {
    for (const name of ["zustand", "@dojoengine/recs"]) {
      expect(imported.has(name), name).toBe(true);
      expect(pkg.peerDependencies?.[name], name).toBeDefined();
      expect(optional(name), name).toBe(false);
    }
  });

  it("should not require a peer the SDK never imports", () => {
    for (const [name] of Object.entries(pkg.peerDependencies ?? {})) {
      if (!optional(name)) expect(imported.has(name), `${name} is a required peer but nothing imports it`).toBe(true);
    }
  });
});
