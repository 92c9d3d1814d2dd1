// The `persist` option end to end in one process: the real pipeline, real RECS, a real IndexedDB (fake-indexeddb),
// the in-memory Torii client, and time driven by hand (createFakeTime: nothing waits on a wall clock).
import "fake-indexeddb/auto";
import { getComponentValue, type Entity } from "@dojoengine/recs";
import { IDBFactory } from "fake-indexeddb";
import { afterEach, describe, expect, it } from "vitest";
import type { SyncPipeline } from "../../src/core/pipeline";
import type { SyncState } from "../../src/core/state";
import { createSyncPipeline } from "../../src/sync/create-sync-pipeline";
import { clearPersistedSync } from "../../src/sync/index";
import { syncEntitiesDebounced } from "../../src/sync/sync-entities";
import { MemoryToriiClient } from "../support/memory-client";
import { paddedId, rawEntity, ty } from "../support/ty";
import { createTestWorld, type TestComponents } from "../support/world";
import { createFakeTime, turns } from "./persist-fakes";

const army = (x: number, troops = 10) => ({ army_id: ty.u32(1), owner: ty.address(0xa11cen), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(troops) });
const armies = (count: number, at = 100) => Array.from({ length: count }, (_, i) => rawEntity(i + 1, at, { "test-Army": army(i + 1) }));
const xOf = (components: TestComponents, n: number): number | undefined => getComponentValue(components.Army, paddedId(n) as Entity)?.x;

interface Run {
  readonly pipeline: SyncPipeline;
  readonly components: TestComponents;
  readonly client: MemoryToriiClient;
  readonly logs: { code?: string; level: string; message: string }[];
}

const time = createFakeTime();
const started: SyncPipeline[] = [];

function run(client: MemoryToriiClient, persist: { name?: string; indexedDB?: IDBFactory | null } | false): Run {
  const { world, components } = createTestWorld();
  const logs: Run["logs"] = [];
  const pipeline = createSyncPipeline({
    client,
    world,
    components,
    worldAddresses: ["0x1"],
    persist,
    timers: time.tab(),
    logging: false,
    inspector: false,
    logger: (record) => void logs.push(record),
  });
  started.push(pipeline);
  void pipeline.start();
  return { pipeline, components, client, logs };
}

/** Drive fake time and real event-loop turns (IndexedDB's) until `condition` holds. */
async function until(condition: () => boolean, rounds = 3_000): Promise<void> {
  for (let i = 0; i < rounds; i += 1) {
    if (condition()) return;
    time.advance(10);
    await turns(2);
  }
  throw new Error("the condition was not met");
}

/** Whether the cache named `name` holds a watermark at least `at` (read through a connection of its own). */
async function watermarkOf(factory: IDBFactory, name: string): Promise<number | undefined> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = factory.open(name);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  try {
    if (!db.objectStoreNames.contains("meta")) return undefined;
    return await new Promise((resolve, reject) => {
      const request = db.transaction("meta").objectStore("meta").get("watermark");
      request.onsuccess = () => resolve((request.result as { executedAt: number } | undefined)?.executedAt);
      request.onerror = () => reject(request.error);
    });
  } finally {
    db.close();
  }
}

/** Boot a first pipeline on `rows`, wait until its cache holds them (watermark written), and cancel it. */
async function warmCache(factory: IDBFactory, name: string, rows: unknown[]): Promise<void> {
  const client = new MemoryToriiClient();
  client.rows = rows;
  const first = run(client, { name, indexedDB: factory });
  await until(() => first.pipeline.getState().status === "streaming");
  let written: number | undefined;
  for (let i = 0; i < 200 && written === undefined; i += 1) {
    await until(() => true);
    time.advance(300);
    await turns(20);
    written = await watermarkOf(factory, name);
  }
  expect(written).toBe(100);
  // The writer's slices reach the metrics (one transaction each, the longest timed by the SDK's clock).
  await until(() => (first.pipeline.metrics().cache?.writeSlices ?? 0) > 0);
  expect(first.pipeline.metrics().cache?.longestWriteSliceMs).toEqual(expect.any(Number));
  first.pipeline.cancel();
}

/** Pages wait for `release()`: the fake holds them, as a slow Torii would. */
function holdPages(client: MemoryToriiClient): { release(): void; readonly asked: number } {
  let open: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (open = resolve));
  let asked = 0;
  client.beforePage = () => {
    asked += 1;
    return gate;
  };
  return {
    release: () => open(),
    get asked() {
      return asked;
    },
  };
}

afterEach(() => {
  for (const pipeline of started.splice(0)) pipeline.cancel();
});

describe("persist: warm start", () => {
  it("should show the cached world in RECS while the pages are held, as replaying and fromCache, then converge to the server", async () => {
    const factory = new IDBFactory();
    await warmCache(factory, "warm", armies(20));
    const client = new MemoryToriiClient();
    // Meanwhile on the server: army 1 moved, army 20 was removed, army 21 appeared.
    client.rows = [rawEntity(1, 150, { "test-Army": army(111) }), ...armies(19).slice(1), rawEntity(21, 150, { "test-Army": army(21) })];
    const pages = holdPages(client);
    const states: SyncState[] = [];
    const second = run(client, { name: "warm", indexedDB: factory });
    second.pipeline.subscribe((state) => states.push(state));

    await until(() => second.pipeline.getState().fromCache);
    await until(() => pages.asked > 0);
    // The pages are held: everything in RECS came from the cache.
    expect(second.components.Army.values.x.size).toBe(20);
    expect(xOf(second.components, 1)).toBe(1);
    expect(xOf(second.components, 20)).toBe(20);
    expect(second.pipeline.getState()).toMatchObject({ status: "replaying", fromCache: true });
    expect(second.pipeline.getState().cacheAgeMs).toBeGreaterThanOrEqual(0);
    expect(second.pipeline.metrics().cache).toMatchObject({ hits: 1, misses: 0, entitiesHydrated: 20, errors: 0 });
    expect(second.pipeline.metrics().cache?.hydrateMs).toBeGreaterThanOrEqual(0);
    expect(second.pipeline.metrics().cache?.hydrateSlices).toBeGreaterThan(0);
    expect(second.pipeline.metrics().cache?.longestHydrateSliceMs).toEqual(expect.any(Number));
    // The cached world is not counted as received from Torii, nor written back to the cache.
    expect(second.pipeline.metrics().received).toBe(0);
    expect(second.pipeline.metrics().cache?.changesRecorded).toBe(0);

    pages.release();
    await until(() => second.pipeline.getState().status === "streaming");
    expect(xOf(second.components, 1)).toBe(111);
    expect(xOf(second.components, 20)).toBeUndefined();
    expect(xOf(second.components, 21)).toBe(21);
    expect(second.components.Army.values.x.size).toBe(20);
    expect(second.pipeline.getState()).toMatchObject({ fromCache: false, cacheAgeMs: undefined });
    expect(states.some((state) => state.status === "replaying" && state.fromCache)).toBe(true);
  });

  it("should admit the replay against the cached versions: an older row from the server never replaces a newer cached one", async () => {
    const factory = new IDBFactory();
    await warmCache(factory, "older", armies(3, 100));
    const client = new MemoryToriiClient();
    // A lagging server still has army 2 at an older block time than the cache.
    client.rows = [rawEntity(1, 100, { "test-Army": army(1) }), rawEntity(2, 90, { "test-Army": army(999) }), rawEntity(3, 100, { "test-Army": army(3) })];
    const second = run(client, { name: "older", indexedDB: factory });
    await until(() => second.pipeline.getState().status === "streaming");
    expect(xOf(second.components, 2)).toBe(2);
    expect(second.pipeline.metrics().droppedByReason.stale).toBeGreaterThan(0);
  });

  it("should land the server's row over the cached one at the same block time (the later arrival of a tie)", async () => {
    const factory = new IDBFactory();
    await warmCache(factory, "tie", armies(3, 100));
    const client = new MemoryToriiClient();
    client.rows = [rawEntity(1, 100, { "test-Army": army(1) }), rawEntity(2, 100, { "test-Army": army(1, 20) }), rawEntity(3, 100, { "test-Army": army(333) })];
    const second = run(client, { name: "tie", indexedDB: factory });
    await until(() => second.pipeline.getState().status === "streaming");
    expect(xOf(second.components, 3)).toBe(333);
    expect(getComponentValue(second.components.Army, paddedId(2) as Entity)?.troops).toBe(20n);
  });

  it("should not hydrate a cache written for another world (the identity differs)", async () => {
    const factory = new IDBFactory();
    await warmCache(factory, "world", armies(3));
    const client = new MemoryToriiClient();
    holdPages(client);
    const { world, components } = createTestWorld();
    const other = createSyncPipeline({ client, world, components, worldAddresses: ["0x2"], persist: { name: "world", indexedDB: factory }, timers: time.tab(), logging: false, inspector: false });
    started.push(other);
    void other.start();
    await until(() => other.metrics().cache?.misses === 1);
    expect(components.Army.values.x.size).toBe(0);
    expect(other.getState().fromCache).toBe(false);
  });

  it("should write what lands after the warm start, and forget what reconciliation removed", async () => {
    const factory = new IDBFactory();
    await warmCache(factory, "later", armies(5));
    const client = new MemoryToriiClient();
    client.rows = armies(4);
    const second = run(client, { name: "later", indexedDB: factory });
    await until(() => second.pipeline.getState().status === "streaming");
    client.emit(rawEntity(2, 200, { "test-Army": army(222) }));
    // The four rows the page repeats equal the cache: only the new write and the removal are recorded.
    await until(() => (second.pipeline.metrics().cache?.changesRecorded ?? 0) >= 2);
    expect(second.pipeline.metrics().unchanged).toBe(4);
    for (let i = 0; i < 20; i += 1) {
      time.advance(300);
      await turns(20);
    }
    second.pipeline.cancel();

    // A third start, with the server holding its pages: the cache alone speaks.
    const third = run(new MemoryToriiClient(), { name: "later", indexedDB: factory });
    holdPages(third.client);
    await until(() => third.pipeline.getState().fromCache);
    expect(xOf(third.components, 2)).toBe(222);
    expect(xOf(third.components, 5)).toBeUndefined();
    expect(third.components.Army.values.x.size).toBe(4);
  });

  it("should start cold, count a miss and reach streaming when the cache is empty", async () => {
    const client = new MemoryToriiClient();
    client.rows = armies(3);
    const first = run(client, { name: "cold", indexedDB: new IDBFactory() });
    await until(() => first.pipeline.getState().status === "streaming");
    expect(first.pipeline.metrics().cache).toMatchObject({ hits: 0, misses: 1, entitiesHydrated: 0, errors: 0 });
    expect(first.pipeline.getState().fromCache).toBe(false);
    expect(first.components.Army.values.x.size).toBe(3);
  });

  it("should be off by default: no cache metrics, nothing opened", async () => {
    const client = new MemoryToriiClient();
    client.rows = armies(2);
    const first = run(client, false);
    await until(() => first.pipeline.getState().status === "streaming");
    expect(first.pipeline.metrics().cache).toBeUndefined();
  });

  it("should leave no connection, timer or listener behind on cancel", async () => {
    const factory = new IDBFactory();
    await warmCache(factory, "teardown", armies(3));
    const client = new MemoryToriiClient();
    client.rows = armies(3);
    const second = run(client, { name: "teardown", indexedDB: factory });
    await until(() => second.pipeline.getState().status === "streaming");
    client.emit(rawEntity(1, 300, { "test-Army": army(7) }));
    await until(() => (second.pipeline.metrics().cache?.changesRecorded ?? 0) > 0);
    const pendingBefore = time.pending();
    second.pipeline.cancel();
    expect(time.pending()).toBeLessThan(pendingBefore);
    expect(time.pending()).toBe(0);
    // A delete is blocked while any connection is open: it goes through at once, so none is.
    const blocked = await new Promise<boolean>((resolve) => {
      const request = factory.deleteDatabase("teardown");
      request.onblocked = () => resolve(true);
      request.onsuccess = () => resolve(false);
    });
    expect(blocked).toBe(false);
    await turns(20);
    expect(second.pipeline.metrics().cache?.errors).toBe(0);
  });

  it("should close the database it was still opening when cancelled at once", async () => {
    const factory = new IDBFactory();
    await warmCache(factory, "early", armies(3));
    const r = run(new MemoryToriiClient(), { name: "early", indexedDB: factory });
    r.pipeline.cancel();
    await turns(50);
    time.advance(10_000);
    await turns(50);
    const blocked = await new Promise<boolean>((resolve) => {
      const request = factory.deleteDatabase("early");
      request.onblocked = () => resolve(true);
      request.onsuccess = () => resolve(false);
    });
    expect(blocked).toBe(false);
    expect(r.components.Army.values.x.size).toBe(0);
    expect(time.pending()).toBe(0);
  });

  it("should warm-start through syncEntitiesDebounced's options too, and clearPersistedSync should remove the cache", async () => {
    const factory = new IDBFactory();
    await warmCache(factory, "shape", armies(4));
    const client = new MemoryToriiClient();
    holdPages(client);
    const { world, components } = createTestWorld();
    const handle = syncEntitiesDebounced(client, { world, components }, undefined, { persist: { name: "shape", indexedDB: factory }, worldAddresses: ["0x1"], timers: time.tab(), logging: false, inspector: false });
    try {
      await until(() => handle.getState().fromCache);
      expect(components.Army.values.x.size).toBe(4);
    } finally {
      handle.cancel();
    }
    await clearPersistedSync("shape", { indexedDB: factory });
    expect(await factory.databases()).toEqual([]);
  });
});

describe("persist: bad storage is never fatal", () => {
  const expectNetworkPath = async (r: Run, code: string): Promise<void> => {
    await until(() => r.pipeline.getState().status === "streaming");
    expect(r.components.Army.values.x.size).toBe(3);
    const cache = r.pipeline.metrics().cache;
    expect(cache?.errors).toBe(1);
    expect(cache?.errorsByCode).toEqual({ [code]: 1 });
    expect(r.logs.filter((record) => record.code === code)).toHaveLength(1);
    expect(r.pipeline.getState().lastError).toBeUndefined();
  };

  it("should go on from the network with SYNC_CACHE_UNAVAILABLE when there is no IndexedDB (private mode)", async () => {
    const client = new MemoryToriiClient();
    client.rows = armies(3);
    const r = run(client, { name: "none", indexedDB: null });
    await expectNetworkPath(r, "SYNC_CACHE_UNAVAILABLE");
    expect(r.pipeline.metrics().cache?.misses).toBe(1);
  });

  it("should go on from the network with SYNC_CACHE_CORRUPT when a cached record is unreadable, and drop the cache", async () => {
    const factory = new IDBFactory();
    await warmCache(factory, "corrupt", armies(3));
    const db = await new Promise<IDBDatabase>((resolve) => {
      const request = factory.open("corrupt");
      request.onsuccess = () => resolve(request.result);
    });
    await new Promise<void>((resolve) => {
      const tx = db.transaction("buckets", "readwrite");
      // Entity 2's bucket, with a member without its value: not what this SDK writes.
      tx.objectStore("buckets").put(JSON.stringify({ [paddedId(2)]: { m: [["test-Army", ["x"], [], [1]]] } }), ["entities", 2]);
      tx.oncomplete = () => resolve();
    });
    db.close();
    const client = new MemoryToriiClient();
    client.rows = armies(3);
    const r = run(client, { name: "corrupt", indexedDB: factory });
    await expectNetworkPath(r, "SYNC_CACHE_CORRUPT");
    await until(() => true);
    await turns(50);
    expect(await factory.databases()).toEqual([]);
  });

  it("should go on from the network with SYNC_CACHE_BLOCKED when another program holds an old layout open", async () => {
    const factory = new IDBFactory();
    const foreign = await new Promise<IDBDatabase>((resolve) => {
      const request = factory.open("blocked", 1);
      request.onupgradeneeded = () => request.result.createObjectStore("something-else");
      request.onsuccess = () => resolve(request.result);
    });
    const client = new MemoryToriiClient();
    client.rows = armies(3);
    const r = run(client, { name: "blocked", indexedDB: factory });
    try {
      await expectNetworkPath(r, "SYNC_CACHE_BLOCKED");
    } finally {
      foreign.close();
    }
  });

  it("should say nothing of an open that is blocked after the pipeline was cancelled", async () => {
    const factory = new IDBFactory();
    const foreign = await new Promise<IDBDatabase>((resolve) => {
      const request = factory.open("blocked-late", 1);
      request.onupgradeneeded = () => request.result.createObjectStore("something-else");
      request.onsuccess = () => resolve(request.result);
    });
    const client = new MemoryToriiClient();
    client.rows = armies(3);
    const r = run(client, { name: "blocked-late", indexedDB: factory });
    try {
      r.pipeline.cancel();
      // The open is blocked after the cancel: the failure it reports is no one's to hear.
      for (let i = 0; i < 50; i += 1) {
        time.advance(100);
        await turns(2);
      }
      expect(r.pipeline.metrics().cache?.errors ?? 0).toBe(0);
      expect(r.logs.filter((record) => record.code === "SYNC_CACHE_BLOCKED")).toEqual([]);
    } finally {
      foreign.close();
    }
  });

  it("should go on with SYNC_CACHE_QUOTA when writing runs out of space, report it once and stop writing", async () => {
    const factory = new IDBFactory();
    const client = new MemoryToriiClient();
    client.rows = armies(3);
    const put = IDBObjectStore.prototype.put;
    let puts = 0;
    IDBObjectStore.prototype.put = function quotaExceeded(this: IDBObjectStore, ...args: Parameters<IDBObjectStore["put"]>) {
      if (this.name === "buckets") {
        puts += 1;
        throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
      }
      return put.apply(this, args);
    };
    try {
      const r = run(client, { name: "quota", indexedDB: factory });
      await until(() => r.pipeline.getState().status === "streaming");
      await until(() => (r.pipeline.metrics().cache?.errors ?? 0) > 0);
      client.emit(rawEntity(1, 300, { "test-Army": army(7) }));
      for (let i = 0; i < 20; i += 1) {
        time.advance(300);
        await turns(10);
      }
      await expectNetworkPath(r, "SYNC_CACHE_QUOTA");
      expect(xOf(r.components, 1)).toBe(7);
      expect(puts).toBe(1);
    } finally {
      IDBObjectStore.prototype.put = put;
    }
  });
});
