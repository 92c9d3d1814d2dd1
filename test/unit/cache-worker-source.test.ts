import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { cacheWorkerModule, WORKER_SOURCE_FILE } from "../../scripts/build-cache-worker";
import { CACHE_WORKER_SOURCE } from "../../src/persist/worker/cache-worker-source";

describe("the bundled cache worker", () => {
  it("should be the bundle of the worker's sources as they are now (run `npm run build:worker` after changing them)", async () => {
    expect(await readFile(WORKER_SOURCE_FILE, "utf8")).toBe(await cacheWorkerModule());
  });

  it("should be one classic script that serves the writer, with no import left to resolve", () => {
    expect(CACHE_WORKER_SOURCE.length).toBeGreaterThan(1_000);
    expect(CACHE_WORKER_SOURCE).not.toMatch(/(^|[;\s])import[\s{*]/);
    expect(CACHE_WORKER_SOURCE).toMatch(/onmessage/);
  });
});
