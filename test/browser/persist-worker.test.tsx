// The cache written from a worker, in real Chromium: the page's thread puts nothing, a new page warm-starts from what
// the worker wrote, a storage failure inside the worker is the cache's (reported once, the cache deleted), and a page
// that refuses the worker still gets its cache, from its own thread.
import { waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { CACHE_LAYOUT_VERSION } from "../../src/persist/index";
import { rawEntity } from "../support/ty";
import { army, boot, BUCKETS, rawOpen, rawPut, SLOW, stored, survives, torii, undo, undoAll, uniqueName, type Run } from "./persist-support";

afterEach(undoAll, 30_000);

/** Bucket records the page's own thread put (a bucket's key is `[scope, bucket]`; the meta records have string keys). */
function pagePuts(): () => number {
  const put = vi.spyOn(IDBObjectStore.prototype, "put");
  undo.push(() => put.mockRestore());
  return () => put.mock.calls.filter(([, key]) => Array.isArray(key)).length;
}

/** Workers the page makes from now on. */
function countWorkers(): () => number {
  const Original = globalThis.Worker;
  let made = 0;
  globalThis.Worker = class extends Original {
    constructor(url: string | URL, options?: WorkerOptions) {
      super(url, options);
      made += 1;
    }
  };
  undo.push(() => (globalThis.Worker = Original));
  return () => made;
}

/** Wait until the cache's watermark caught up with everything the pipeline saw. */
async function flushed(run: Run): Promise<void> {
  await run.pipeline.ready;
  await waitFor(() => expect(run.pipeline.metrics().cache?.watermark).toBe(run.pipeline.metrics().lastExecutedAt), SLOW);
}

/** A new page's boot on the same cache: it shows the cached world before the network. */
async function warmStarts(name: string, entities: number): Promise<void> {
  const next = boot(torii([1, 2, 3, 4, 5, 6]), { name });
  await waitFor(() => expect(next.fromCache).toContain(true), SLOW);
  expect(next.pipeline.metrics().cache).toMatchObject({ hits: 1, entitiesHydrated: entities, errors: 0 });
}

describe("the cache written from a worker, in Chromium", { timeout: 60_000 }, () => {
  it("should write from a worker by default: the page's thread puts no record, and a new page warm-starts from them", async () => {
    const name = uniqueName("worker");
    const puts = pagePuts();
    const run = boot(torii([1, 2, 3, 4, 5, 6]), { name });
    await flushed(run);
    expect(run.pipeline.metrics().cache).toMatchObject({ entitiesWritten: 6, errors: 0 });
    expect(puts()).toBe(0);
    run.pipeline.cancel();
    await warmStarts(name, 6);
  });

  it("should report a corrupt record the worker meets while merging once as SYNC_CACHE_CORRUPT, delete the cache and converge", async () => {
    const name = uniqueName("worker-corrupt");
    const workers = countWorkers();
    const client = torii([1, 2, 3, 4, 5, 6]);
    const run = boot(client, { name });
    await flushed(run);
    // Entity 1's bucket is made unreadable under the running pipeline: only the worker reads it again, to merge.
    const raw = await rawOpen(name, CACHE_LAYOUT_VERSION);
    await rawPut(raw, BUCKETS, "not a bucket", ["entities", 1]);
    raw.close();
    const update = rawEntity(1, 500, { "test-Army": army(501) });
    client.rows = [update, ...client.rows.slice(1)];
    client.emit(update);
    await survives(run, client, "SYNC_CACHE_CORRUPT");
    await waitFor(async () => expect(await stored(name)).toBe(false), SLOW);
    // The writer was the worker (the page's thread has none): it met the corrupt record, and the page reported it.
    expect(workers()).toBe(1);
  });

  it("should write from the page's thread, losing nothing, when the page refuses the worker", async () => {
    const name = uniqueName("worker-refused");
    const Original = globalThis.Worker;
    // As a Content Security Policy without `worker-src blob:` would: the worker is made, its script never runs.
    class Refused extends Original {
      constructor(_url: string | URL, options?: WorkerOptions) {
        super(URL.createObjectURL(new Blob(["throw new Error('refused by the page')"], { type: "text/javascript" })), options);
      }
    }
    globalThis.Worker = Refused;
    undo.push(() => (globalThis.Worker = Original));
    const workers = countWorkers();
    const puts = pagePuts();
    const run = boot(torii([1, 2, 3, 4, 5, 6]), { name });
    await flushed(run);
    expect(run.pipeline.metrics().cache).toMatchObject({ entitiesWritten: 6, errors: 0 });
    // A worker was tried, refused, and the page's own thread wrote.
    expect(workers()).toBe(1);
    expect(puts()).toBeGreaterThan(0);
    expect(run.failures).toEqual([]);
    run.pipeline.cancel();
    await warmStarts(name, 6);
  });
});
