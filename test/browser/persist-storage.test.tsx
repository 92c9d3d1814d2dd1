// Bad storage is never fatal, in real Chromium: the browser's own IndexedDB fails the cache (full, blocked, corrupt,
// absent), and the pipeline reports it once, drops the cache and converges from the network. The Torii is in memory
// (as in persist-tabs.test.tsx): what is under test is the SDK against the browser's storage.
import { getComponentValue, type Entity } from "@dojoengine/recs";
import { waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { CACHE_LAYOUT_VERSION } from "../../src/persist/index";
import { paddedId } from "../support/ty";
import { army, boot, BUCKETS, idb, rawOpen, rawPut, SLOW, stored, survives, torii, undo, undoAll, uniqueName } from "./persist-support";

afterEach(undoAll, 30_000);

describe("bad storage is never fatal, on Chromium's IndexedDB", { timeout: 60_000 }, () => {
  it("should report a full disk once as SYNC_CACHE_QUOTA, stop writing, delete the cache and converge from the network", async () => {
    const name = uniqueName("quota");
    const put = IDBObjectStore.prototype.put;
    let refused = 0;
    // Chromium cannot be filled on demand: the entity store's puts fail as a full disk makes them fail.
    const spy = vi.spyOn(IDBObjectStore.prototype, "put").mockImplementation(function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
      if (this.name !== BUCKETS) return put.call(this, value, key);
      refused += 1;
      throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
    });
    undo.push(() => spy.mockRestore());
    const client = torii([1, 2, 3, 4, 5, 6]);
    // The page's own writer: the spy reaches the page's IndexedDB, not a worker's (the worker's failures: below).
    const run = boot(client, { name, worker: false });
    await survives(run, client, "SYNC_CACHE_QUOTA");
    // The first refused put stops the writer: nothing after it is tried again.
    expect(refused).toBe(1);
    expect(run.pipeline.metrics().cache).toMatchObject({ flushes: 0, watermark: undefined });
    // A full cache is deleted, so the next load starts clean instead of failing again.
    await waitFor(async () => expect(await stored(name)).toBe(false), SLOW);
  });

  it("should report SYNC_CACHE_BLOCKED once when another connection holds a stranger's database open and ignores versionchange", async () => {
    const name = uniqueName("blocked-repair");
    // Another layout under the cache's name: the SDK must delete and rebuild it, and this connection will not let go.
    const holder = await rawOpen(name, CACHE_LAYOUT_VERSION, (db) => db.createObjectStore("something-else"));
    let asked = 0;
    holder.onversionchange = () => (asked += 1);
    const client = torii([1, 2, 3, 4, 5]);
    const run = boot(client, { name });
    await survives(run, client, "SYNC_CACHE_BLOCKED");
    expect(run.failures[0]).toMatch(/deleting database .* is blocked by another open tab/);
    expect(asked).toBeGreaterThan(0);
  });

  it("should report SYNC_CACHE_BLOCKED once when a tab of the older layout blocks the layout upgrade", async () => {
    const name = uniqueName("blocked-upgrade");
    const holder = await rawOpen(name, CACHE_LAYOUT_VERSION);
    let asked = 0;
    holder.onversionchange = () => (asked += 1);
    // The SDK as a release with the next layout would open: one version up, so the open is an upgrade.
    const nextLayout: IDBFactory = {
      open: (db, version) => idb.open(db, (version ?? CACHE_LAYOUT_VERSION) + 1),
      deleteDatabase: (db) => idb.deleteDatabase(db),
      databases: () => idb.databases(),
      cmp: (a, b) => idb.cmp(a, b),
    };
    const client = torii([7, 8, 9]);
    const run = boot(client, { name, indexedDB: nextLayout });
    await survives(run, client, "SYNC_CACHE_BLOCKED");
    expect(run.failures[0]).toMatch(/upgrading database .* is blocked by another open tab/);
    expect(asked).toBeGreaterThan(0);
  });

  it("should report a corrupt record once as SYNC_CACHE_CORRUPT, land nothing of it, delete the cache and converge", async () => {
    const name = uniqueName("corrupt");
    const first = boot(torii([1, 2, 3, 4, 5, 6]), { name });
    await first.pipeline.ready;
    const seen = first.pipeline.metrics().lastExecutedAt;
    await waitFor(() => expect(first.pipeline.metrics().cache?.watermark).toBe(seen), SLOW);
    expect(first.pipeline.metrics().cache).toMatchObject({ entitiesWritten: 6, errors: 0 });
    first.pipeline.cancel();

    // Entity 3's army, newer than anything on the server (a version the admission would keep) but with one block
    // time that no SDK writes: had it landed, x would stay 999.
    const raw = await rawOpen(name, CACHE_LAYOUT_VERSION);
    const members = army(999);
    const body = JSON.stringify({ [paddedId(3)]: { m: [["test-Army", Object.keys(members), Object.values(members), [500, 500, 500, 500, -1]]] } });
    await rawPut(raw, BUCKETS, body, ["entities", 3]);
    raw.close();

    const client = torii([1, 2, 3, 4, 5, 6]);
    const second = boot(client, { name });
    await survives(second, client, "SYNC_CACHE_CORRUPT");
    expect(second.fromCache).toEqual([]);
    expect(second.pipeline.metrics().cache).toMatchObject({ entitiesHydrated: 0, watermark: undefined });
    expect(getComponentValue(second.components.Army, paddedId(3) as Entity)?.x).toBe(3);
    await waitFor(async () => expect(await stored(name)).toBe(false), SLOW);
  });

  it("should report SYNC_CACHE_UNAVAILABLE once when the page has no IndexedDB (private mode), and converge", async () => {
    const name = uniqueName("unavailable");
    const own = Object.getOwnPropertyDescriptor(globalThis, "indexedDB");
    Object.defineProperty(globalThis, "indexedDB", { value: undefined, configurable: true, writable: true });
    undo.push(() => (own === undefined ? Reflect.deleteProperty(globalThis, "indexedDB") : Object.defineProperty(globalThis, "indexedDB", own)));
    expect(globalThis.indexedDB).toBeUndefined();
    const client = torii([4, 5, 6, 7]);
    const run = boot(client, { name });
    await survives(run, client, "SYNC_CACHE_UNAVAILABLE");
    expect(run.failures[0]).toMatch(/offers no IndexedDB/);
    expect(await stored(name)).toBe(false);
  });
});
