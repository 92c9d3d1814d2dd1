import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import vm from "node:vm";
import { afterAll, describe, expect, it } from "vitest";
import { build, type Rollup } from "vite";

const root = path.resolve(import.meta.dirname, "../..");
// Inside the repo so the entry resolves the repo's node_modules; a build cache, out of git and lint.
const cache = path.join(root, "node_modules/.cache/torii-sync-guard");
mkdirSync(cache, { recursive: true });
const work = mkdtempSync(path.join(cache, "prod-build-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// An app's entry as a bundler sees it: the SDK from its sources, a RECS world, a client that answers empty pages.
const ENTRY = `
import { createWorld, defineComponent, Type } from "@dojoengine/recs";
import { createSyncPipeline } from ${JSON.stringify(path.join(root, "src/sync/index.ts"))};
const world = createWorld();
const Army = defineComponent(world, { x: Type.Number }, { metadata: { namespace: "t", name: "Army" } });
const client = { getEntities: async () => ({ items: [], next_cursor: undefined }), onEntityUpdated: async () => ({ cancel() {} }) };
const pipeline = createSyncPipeline({ client, world, components: { Army }, worldAddresses: ["0xabc"], ...__OPTIONS__ });
const registered = Object.keys(globalThis.__SYNC_DEBUG__ ?? {});
pipeline.cancel();
globalThis.__result = { registered, afterCancel: "__SYNC_DEBUG__" in globalThis };
`;

/** Bundle the entry as an app's bundler would for `mode`, and run it in a fresh browser-like global with no `process`. */
async function bundleAndRun(mode: "production" | "development", options: Record<string, unknown> = {}): Promise<{ registered: string[]; afterCancel: boolean; printed: string[] }> {
  const entry = path.join(work, `entry-${mode}-${Object.keys(options).join("-") || "default"}.ts`);
  writeFileSync(entry, ENTRY);
  const output = (await build({
    configFile: false,
    logLevel: "silent",
    root,
    define: { "process.env.NODE_ENV": JSON.stringify(mode), __OPTIONS__: JSON.stringify(options) },
    build: { write: false, minify: false, target: "es2022", lib: { entry, formats: ["iife"], name: "app" }, rollupOptions: { output: { inlineDynamicImports: true } } },
  })) as Rollup.RollupOutput[] | Rollup.RollupOutput;
  const chunk = (Array.isArray(output) ? output[0] : output)?.output.find((item): item is Rollup.OutputChunk => item.type === "chunk");
  if (chunk === undefined) throw new Error("no chunk built");
  const printed: string[] = [];
  const say = (...args: unknown[]) => printed.push(args.map(String).join(" "));
  const sandbox: Record<string, unknown> = {
    console: { log: say, info: say, warn: say, error: say, debug: say },
    setTimeout,
    clearTimeout,
    queueMicrotask,
    MessageChannel,
  };
  sandbox.window = sandbox;
  sandbox.self = sandbox;
  vm.runInNewContext(chunk.code, sandbox);
  // The pipeline was created and cancelled synchronously; let its promises settle.
  await new Promise((resolve) => setTimeout(resolve, 20));
  const result = sandbox.__result as { registered: string[]; afterCancel: boolean };
  return { ...result, printed };
}

describe("a bundled app (NODE_ENV replaced at build time, no `process` at run time)", () => {
  it("should attach no window.__SYNC_DEBUG__ and print nothing in a production build by default", async () => {
    const run = await bundleAndRun("production");
    expect(run.registered).toEqual([]);
    expect(run.afterCancel).toBe(false);
    expect(run.printed).toEqual([]);
  }, 60_000);

  it("should attach it in a production build when asked, and remove it on cancel()", async () => {
    const run = await bundleAndRun("production", { inspector: "torii-sync:game" });
    expect(run.registered).toEqual(["torii-sync:game"]);
    expect(run.afterCancel).toBe(false);
  }, 60_000);

  it("should attach it by default in a development build, under torii-sync:<world address>", async () => {
    const run = await bundleAndRun("development", { logging: false });
    expect(run.registered).toEqual(["torii-sync:0xabc"]);
    expect(run.afterCancel).toBe(false);
  }, 60_000);
});
