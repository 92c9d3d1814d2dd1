// Bad storage is never fatal, in real Chromium: the browser's own IndexedDB fails the cache (full, blocked, corrupt,
// absent), and the pipeline reports it once, drops the cache and converges from the network. The Torii is in memory
// (as in persist-tabs.test.tsx): what is under test is the SDK against the browser's storage.
import { getComponentEntities, getComponentValue, type Entity } from "@dojoengine/recs";
import { waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { SyncPipeline } from "../../src/core/pipeline";
import type { SyncStatus } from "../../src/core/state";
import type { ToriiValue } from "../../src/core/types";
import { CACHE_LAYOUT_VERSION, type PersistOptions } from "../../src/persist/index";
import { createSyncPipeline } from "../../src/sync/index";
import { MemoryToriiClient } from "../support/memory-client";
import { paddedId, rawEntity, ty, type RawEntity } from "../support/ty";
import { createTestWorld, type TestComponents } from "../support/world";

/** The page's own IndexedDB, kept before any test hides it. */
const idb = globalThis.indexedDB;
const SLOW = { timeout: 20_000 };
const BUCKETS = "buckets"; // src/persist/layout.ts

const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(0xa11cen), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10) });

/** A Torii whose world is entity n+1's army at xs[n], written at block time `at`. */
function torii(xs: readonly number[], at = 100): MemoryToriiClient {
  const client = new MemoryToriiClient();
  client.rows = xs.map((x, i) => rawEntity(i + 1, at, { "test-Army": army(x) }));
  return client;
}

/** Entity → x, as the server holds it and as RECS shows it. */
const serverWorld = (client: MemoryToriiClient): Record<string, unknown> =>
  Object.fromEntries(client.rows.map((row) => [paddedId(Number((row as RawEntity).hashed_keys)), ((row as RawEntity).models["test-Army"]?.x as ToriiValue).value]));
const recsWorld = (components: TestComponents): Record<string, unknown> =>
  Object.fromEntries([...getComponentEntities(components.Army)].map((entity) => [entity, getComponentValue(components.Army, entity)?.x]));

/** Undone after each test, last first: pipelines, patches, raw connections, then the databases. */
const undo: Array<() => unknown> = [];
afterEach(async () => {
  for (const step of undo.splice(0).reverse()) await step();
}, 30_000);

const uniqueName = (what: string): string => {
  const name = `persist-storage-${what}-${Math.random().toString(36).slice(2)}`;
  undo.push(() => deleteRaw(name));
  return name;
};

/** Delete through the raw API: it waits (rather than fail) while a connection is still closing. */
function deleteRaw(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = idb.deleteDatabase(name);
    request.onsuccess = () => resolve();
    request.onerror = () => reject(request.error);
  });
}

/** A raw connection, as a tab of another program or layout holds it: it never closes when asked, only in cleanup. */
function rawOpen(name: string, version: number, upgrade: (db: IDBDatabase) => void = () => undefined): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = idb.open(name, version);
    request.onupgradeneeded = () => upgrade(request.result);
    request.onsuccess = () => {
      undo.push(() => request.result.close());
      resolve(request.result);
    };
    request.onerror = () => reject(request.error);
  });
}

function rawPut(db: IDBDatabase, store: string, value: unknown, key?: IDBValidKey): Promise<void> {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(store, "readwrite");
    tx.objectStore(store).put(value, key);
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
  });
}

const stored = async (name: string): Promise<boolean> => (await idb.databases()).some((info) => info.name === name);

interface Run {
  readonly pipeline: SyncPipeline;
  readonly components: TestComponents;
  /** Every status the pipeline went through, in order. */
  readonly statuses: SyncStatus[];
  /** `cache_failed` events, as code: message. */
  readonly failures: string[];
  /** Warnings logged with a SYNC_CACHE_* code. */
  readonly warned: string[];
  /** Whether RECS ever showed a cached world. */
  readonly fromCache: boolean[];
}

function boot(client: MemoryToriiClient, persist: PersistOptions): Run {
  const { world, components } = createTestWorld();
  const run: Run = { pipeline: undefined as unknown as SyncPipeline, components, statuses: [], failures: [], warned: [], fromCache: [] };
  const pipeline = createSyncPipeline({
    client,
    world,
    components,
    worldAddresses: ["0x1"],
    persist: { tabs: false, ...persist },
    logging: false,
    logger: (record) => {
      if (record.code?.startsWith("SYNC_CACHE_") === true) run.warned.push(`${record.level} ${record.code}`);
    },
    inspector: false,
  });
  pipeline.subscribe((state, previous) => {
    if (state.status !== previous.status) run.statuses.push(state.status);
    if (state.fromCache) run.fromCache.push(true);
  });
  pipeline.subscribeEvents((event) => {
    if (event.type === "cache_failed") run.failures.push(`${event.code}: ${event.message}`);
  });
  undo.push(() => pipeline.cancel());
  void pipeline.start().catch(() => undefined);
  return Object.assign(run, { pipeline });
}

/**
 * Not fatal: one failure with `code`, counted, logged and announced once; the pipeline streams with RECS equal to the
 * server; and later traffic neither reports again nor reaches the dropped cache.
 */
async function survives(run: Run, client: MemoryToriiClient, code: string): Promise<void> {
  const { pipeline, components } = run;
  await waitFor(() => expect(pipeline.metrics().cache?.errors).toBe(1), SLOW);
  await waitFor(() => expect(pipeline.getState().status).toBe("streaming"), SLOW);
  await waitFor(() => expect(recsWorld(components)).toEqual(serverWorld(client)), SLOW);
  const recorded = pipeline.metrics().cache?.changesRecorded;
  const update = rawEntity(1, 900, { "test-Army": army(901) });
  client.rows = [update, ...client.rows.slice(1)];
  client.emit(update);
  await waitFor(() => expect(recsWorld(components)).toEqual(serverWorld(client)), SLOW);
  expect(Object.keys(recsWorld(components))).toHaveLength(client.rows.length);
  expect(pipeline.metrics().cache).toMatchObject({ errors: 1, errorsByCode: { [code]: 1 }, changesRecorded: recorded, hits: 0, misses: 1 });
  expect(run.failures).toHaveLength(1);
  expect(run.failures[0]).toMatch(new RegExp(`^${code}: Persisted sync cache: .*the sync goes on`));
  expect(run.warned).toEqual([`warn ${code}`]);
  expect(run.statuses).not.toContain("error");
  expect(pipeline.getState()).toMatchObject({ status: "streaming", lastError: undefined });
}

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
    const run = boot(client, { name });
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
