import "fake-indexeddb/auto";
import { defineComponent, createWorld, Type } from "@dojoengine/recs";
import { IDBFactory } from "fake-indexeddb";
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import type { SyncError } from "../../src/core/errors";
import type { AdmittedChange } from "../../src/core/ports";
import { bindComponents } from "../../src/core/writer/bindings";
import { clearPersistedSync, openSyncCache, type SyncCache } from "../../src/persist/cache";
import { cacheIdentity, defaultCacheName } from "../../src/persist/fingerprint";
import { BUCKETS_PER_SCOPE, type CacheIdentity } from "../../src/persist/layout";
import { createFakeTime, deleteEntity, deleteModel, id, write } from "./persist-fakes";
import { ReferenceState, referenceOf } from "./persist-reference";

const IDENTITY: CacheIdentity = { fingerprint: "schema-a", packageVersion: "1.0.0" };

async function open(factory: IDBFactory, identity = IDENTITY, name = "cache"): Promise<{ cache: SyncCache; errors: SyncError[] }> {
  const errors: SyncError[] = [];
  const cache = await openSyncCache({ name, identity, indexedDB: factory, timers: createFakeTime().tab(), onError: (error) => errors.push(error) });
  if (cache === undefined) throw new Error(`the cache did not open: ${errors.map((e) => e.message).join("; ")}`);
  return { cache, errors };
}

/** Write `changes` (flushing after each group) and read the cache back through the real decoder. */
async function roundTrip(groups: readonly (readonly AdmittedChange[])[]): Promise<{ fed: ReferenceState; hydrated: ReferenceState }> {
  const factory = new IDBFactory();
  const { cache } = await open(factory);
  const writer = cache.createWriter({ flushIntervalMs: 0 });
  for (const group of groups) {
    writer.note(group);
    await writer.flush();
  }
  cache.close();
  const again = (await open(factory)).cache;
  const hydrated = new ReferenceState();
  await again.hydrate((scope, messages) => hydrated.applyMessages(scope, messages), { firstSliceEntities: 3 });
  again.close();
  return { fed: referenceOf(groups.flat()), hydrated };
}

describe("the persisted cache", () => {
  it("should give back what was written, as Torii entity messages the decoder reads", async () => {
    const { fed, hydrated } = await roundTrip([
      [write(1, "ns-Army", { hp: [10, 100], x: [1, 100] }), write(2, "ns-Army", { hp: [5, 101] }), write(2, "ns-Tile", { owner: [7, 90] }, "events")],
      [write(1, "ns-Army", { hp: [9, 105] })],
    ]);
    expect(hydrated.rejected).toBe(0);
    expect(hydrated.visible()).toEqual(fed.visible());
    expect(hydrated.models.get(`entities|${id(1)}|ns-Army`)?.members.get("hp")).toMatchObject({ at: 105, value: { value: 9 } });
  });

  it("should keep every entity of a bucket when its neighbours are written, deleted and written again apart", async () => {
    // Ids 1, 4,097 and 8,193 share a bucket (one record): each flush rewrites it, and must keep what the others left.
    const [a, b, c] = [1, 1 + BUCKETS_PER_SCOPE, 1 + 2 * BUCKETS_PER_SCOPE];
    const { fed, hydrated } = await roundTrip([
      [write(a, "ns-Army", { hp: [1, 100] }), write(b, "ns-Army", { hp: [2, 100] })],
      [write(c, "ns-Tile", { owner: [3, 110] })],
      [deleteEntity(a, 120)],
      [write(b, "ns-Army", { hp: [4, 130] }), write(a, "ns-Army", { hp: [5, 115] })],
    ]);
    expect(hydrated.rejected).toBe(0);
    expect(hydrated.visible()).toEqual(fed.visible());
    expect(hydrated.models.get(`entities|${id(b)}|ns-Army`)?.members.get("hp")).toMatchObject({ at: 130, value: { value: 4 } });
    expect(hydrated.models.get(`entities|${id(c)}|ns-Tile`)?.members.get("owner")).toMatchObject({ at: 110, value: { value: 3 } });
    // Entity a was deleted at 120: the write at 115 came too late to bring it back; its tombstone stays.
    expect(hydrated.visible()[`entities|${id(a)}|ns-Army`]).toBeUndefined();
    expect(hydrated.visible()[`entities|${id(a)}`]).toBe(120);
  });

  it("should keep the newer member when an older one is written after it", async () => {
    const { hydrated } = await roundTrip([[write(1, "ns-Army", { hp: [9, 105], x: [3, 105] })], [write(1, "ns-Army", { hp: [10, 100], x: [4, 106] })]]);
    const army = hydrated.models.get(`entities|${id(1)}|ns-Army`);
    expect(army?.members.get("hp")).toMatchObject({ at: 105, value: { value: 9 } });
    expect(army?.members.get("x")).toMatchObject({ at: 106, value: { value: 4 } });
  });

  it("should let a tie go to the later write, as the admission does", async () => {
    const { hydrated } = await roundTrip([[write(1, "ns-Army", { hp: [1, 100] })], [write(1, "ns-Army", { hp: [2, 100] })]]);
    expect(hydrated.models.get(`entities|${id(1)}|ns-Army`)?.members.get("hp")?.value).toMatchObject({ value: 2 });
  });

  it("should keep tombstones: a deleted model or entity stays deleted, and older writes cannot bring it back", async () => {
    const { fed, hydrated } = await roundTrip([
      [write(1, "ns-Army", { hp: [10, 100] }), write(1, "ns-Tile", { owner: [1, 100] }), write(2, "ns-Army", { hp: [3, 100] })],
      [deleteModel(1, "ns-Army", 110), deleteEntity(2, 120)],
      [write(1, "ns-Army", { hp: [11, 105] }), write(2, "ns-Army", { hp: [4, 115] })],
    ]);
    expect(hydrated.visible()).toEqual(fed.visible());
    expect(hydrated.models.get(`entities|${id(1)}|ns-Army`)?.members.size).toBe(0);
    expect(hydrated.models.get(`entities|${id(1)}|ns-Tile`)?.members.size).toBe(1);
    expect(hydrated.floors.get(`entities|${id(2)}`)).toBe(120);
    // The tombstones came back as floors: a late write older than them is still refused after a reload.
    hydrated.apply(write(1, "ns-Army", { hp: [12, 108] }));
    hydrated.apply(write(2, "ns-Army", { hp: [5, 119] }));
    expect(hydrated.models.get(`entities|${id(1)}|ns-Army`)?.members.size).toBe(0);
    expect(hydrated.models.get(`entities|${id(2)}|ns-Army`)?.members.size).toBe(0);
  });

  it("should keep a write made after a delete in the same second (delete first, then the write)", async () => {
    const { fed, hydrated } = await roundTrip([[write(1, "ns-Army", { hp: [1, 100] })], [deleteModel(1, "ns-Army", 100), write(1, "ns-Army", { hp: [2, 100] }), deleteEntity(3, 50), write(3, "ns-Army", { hp: [3, 50] })]]);
    expect(hydrated.visible()).toEqual(fed.visible());
    expect(hydrated.models.get(`entities|${id(1)}|ns-Army`)?.members.get("hp")?.value).toMatchObject({ value: 2 });
    expect(hydrated.models.get(`entities|${id(3)}|ns-Army`)?.members.get("hp")?.value).toMatchObject({ value: 3 });
  });

  it("should rebuild the same state for any order of writes and deletes, flushed at any points", async () => {
    const change = fc.oneof(
      { weight: 6, arbitrary: fc.record({ e: fc.integer({ min: 1, max: 4 }), m: fc.constantFrom("ns-A", "ns-B"), hp: fc.option(fc.tuple(fc.nat(9), fc.integer({ min: 0, max: 6 })), { nil: undefined }), x: fc.tuple(fc.nat(9), fc.integer({ min: 0, max: 6 })) }).map(({ e, m, hp, x }) => write(e, m, hp === undefined ? { x } : { hp, x })) },
      { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 1, max: 4 }), fc.constantFrom("ns-A", "ns-B"), fc.integer({ min: 0, max: 6 })).map(([e, m, at]) => deleteModel(e, m, at)) },
      { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 6 })).map(([e, at]) => deleteEntity(e, at)) },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(change, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 5 }), async (groups) => {
        const { fed, hydrated } = await roundTrip(groups);
        expect(hydrated.visible()).toEqual(fed.visible());
      }),
      { numRuns: 60 },
    );
  });

  it("should hand back the watermark and its age", async () => {
    const factory = new IDBFactory();
    const time = createFakeTime();
    const cache = await openSyncCache({ name: "cache", identity: IDENTITY, indexedDB: factory, timers: time.tab() });
    const writer = cache?.createWriter();
    writer?.note([write(1, "ns-Army", { hp: [1, 100] }), write(2, "ns-Army", { hp: [1, 130] })]);
    await writer?.flush();
    time.advance(5_000);
    const result = await cache?.hydrate(() => undefined);
    expect(result).toMatchObject({ complete: true, entities: 2, messages: 2, watermark: { executedAt: 130 }, ageMs: 5_000 });
    expect(cache?.counters()).toMatchObject({ entitiesHydrated: 2, messagesHydrated: 2, flushes: 1, entitiesWritten: 2 });
    expect(cache?.counters().bytesWritten).toBeGreaterThan(0);
  });

  it("should ask for the next batch of rows before handing one over, and read every entity once, in key order", async () => {
    const factory = new IDBFactory();
    const { cache } = await open(factory);
    const writer = cache.createWriter({ flushIntervalMs: 0 });
    writer.note(Array.from({ length: 40 }, (_, i) => write(i + 1, "ns-Army", { hp: [i, 100] })));
    await writer.flush();
    const getAll = vi.spyOn(IDBObjectStore.prototype, "getAll");
    const seen: string[] = [];
    const askedBefore: number[] = [];
    let counts: unknown[] = [];
    try {
      const result = await cache.hydrate(
        (_, messages) => {
          askedBefore.push(getAll.mock.calls.length);
          seen.push(...messages.map((message) => message.hashed_keys));
        },
        { firstSliceEntities: 4 },
      );
      expect(result).toMatchObject({ complete: true, entities: 40 });
      counts = getAll.mock.calls.map((call) => call[1]);
    } finally {
      getAll.mockRestore();
    }
    // A first read of 16 buckets (one entity each here), then the rest in one bigger read, asked for before the first
    // slice was handed over.
    expect(askedBefore[0]).toBe(2);
    expect(counts).toEqual([16, 128]);
    expect(seen).toEqual(Array.from({ length: 40 }, (_, i) => id(i + 1)));
    cache.close();
  });

  it("should size each hydration slice from what the last one handed over, the short last slice of a batch included", async () => {
    // The slice clock is the engine's work: 1 ms per entity handed over. With a 30 ms budget slices settle at 30
    // entities; each batch ends on a short slice (the first read's 16 buckets: 6 then 10; a read of 128: 4 × 30 and 8),
    // which must not make the next one 90. One entity per bucket here (ids 1 to 1,106).
    let work = 0;
    const timers = { ...createFakeTime().tab(), monotonic: () => work };
    const factory = new IDBFactory();
    const writing = await openSyncCache({ name: "cache", identity: IDENTITY, indexedDB: factory, timers });
    const writer = writing?.createWriter({ flushIntervalMs: 0 });
    writer?.note(Array.from({ length: 1_106 }, (_, i) => write(i + 1, "ns-Army", { hp: [i, 100] })));
    await writer?.flush();
    writing?.close();
    const { cache } = await open(factory);
    const reading = await openSyncCache({ name: "cache", identity: IDENTITY, indexedDB: factory, timers });
    cache.close();
    let handed = 0;
    const result = await reading?.hydrate(
      (_, messages) => {
        handed += messages.length;
        work += messages.length;
      },
      { firstSliceEntities: 6, sliceBudgetMs: 30 },
    );
    expect(result).toMatchObject({ complete: true, entities: 1_106 });
    expect(handed).toBe(1_106);
    // Reads of 16, 8 × 128 and 66: slices of 6 and 10; 8 × (4 × 30 and 8); 30, 30 and 6. None over the budget.
    expect(reading?.counters().longestHydrateSliceMs).toBe(30);
    expect(result?.slices).toBe(2 + 8 * 5 + 3);
    reading?.close();
  });

  it("should hand nothing more over once the cache is closed mid-hydration, and report no error", async () => {
    let work = 0;
    const timers = { ...createFakeTime().tab(), monotonic: () => work };
    const factory = new IDBFactory();
    const errors: SyncError[] = [];
    const cache = await openSyncCache({ name: "cache", identity: IDENTITY, indexedDB: factory, timers, onError: (error) => errors.push(error) });
    const writer = cache?.createWriter({ flushIntervalMs: 0 });
    writer?.note(Array.from({ length: 60 }, (_, i) => write(i + 1, "ns-Army", { hp: [i, 100] })));
    await writer?.flush();
    let calls = 0;
    const result = await cache?.hydrate(
      (_, messages) => {
        calls += 1;
        work += messages.length;
        // The second slice hands over the rest of the first read (16 buckets, one entity each): 10 entities.
        if (calls === 2) cache.close();
      },
      { firstSliceEntities: 6, sliceBudgetMs: 4 },
    );
    expect(calls).toBe(2);
    expect(result).toMatchObject({ complete: false, entities: 6 + 10 });
    expect(errors).toEqual([]);
  });

  it("should clear the cache when the schema fingerprint or the package version changes", async () => {
    const factory = new IDBFactory();
    const first = (await open(factory)).cache;
    const writer = first.createWriter();
    writer.note([write(1, "ns-Army", { hp: [1, 100] })]);
    await writer.flush();
    first.close();
    for (const identity of [{ ...IDENTITY, fingerprint: "schema-b" }, { fingerprint: "schema-b", packageVersion: "1.0.1" }]) {
      const cache = (await open(factory, identity)).cache;
      const result = await cache.hydrate(() => undefined);
      expect(result).toMatchObject({ complete: true, entities: 0, watermark: undefined });
      cache.close();
    }
    const same = (await open(factory, { fingerprint: "schema-b", packageVersion: "1.0.1" })).cache;
    expect(await same.readWatermark()).toBeUndefined();
  });

  it("should remove a cache with clearPersistedSync(name), and every default-named one without a name", async () => {
    const factory = new IDBFactory();
    const names = ["mine", defaultCacheName(["0x1"]), defaultCacheName(["0x2"])];
    for (const name of names) {
      const { cache } = await open(factory, IDENTITY, name);
      const writer = cache.createWriter();
      writer.note([write(1, "ns-Army", { hp: [1, 100] })]);
      await writer.flush();
      // Left open, as another tab would: it closes itself when asked.
    }
    await clearPersistedSync("mine", { indexedDB: factory });
    expect((await factory.databases()).map((info) => info.name).sort()).toEqual([defaultCacheName(["0x1"]), defaultCacheName(["0x2"])].sort());
    await clearPersistedSync(undefined, { indexedDB: factory });
    expect(await factory.databases()).toEqual([]);
  });
});

describe("the cache's identity", () => {
  const world = createWorld();
  const army = defineComponent(world, { hp: Type.Number, owner: Type.BigInt }, { metadata: { namespace: "ns", name: "Army", types: ["u32", "felt252"] } });
  const tile = defineComponent(world, { x: Type.Number }, { metadata: { namespace: "ns", name: "Tile", types: ["u32"] } });
  const wider = defineComponent(world, { hp: Type.BigInt, owner: Type.BigInt }, { metadata: { namespace: "ns", name: "Army", types: ["u64", "felt252"] } });

  it("should not depend on the order of components or the spelling of the world address", () => {
    const a = cacheIdentity({ bindings: bindComponents([army, tile]), worldAddresses: ["0x0ABC"], packageVersion: "1.0.0" });
    const b = cacheIdentity({ bindings: bindComponents([tile, army]), worldAddresses: [`0x${"abc".padStart(64, "0")}`], packageVersion: "1.0.0" });
    expect(a).toEqual(b);
    expect(defaultCacheName(["0x0ABC"])).toBe(defaultCacheName([`0x${"abc".padStart(64, "0")}`]));
  });

  it("should change with a member's type, a model, the world or the package version", () => {
    const base = cacheIdentity({ bindings: bindComponents([army, tile]), worldAddresses: ["0x1"], packageVersion: "1.0.0" });
    expect(cacheIdentity({ bindings: bindComponents([wider, tile]), worldAddresses: ["0x1"], packageVersion: "1.0.0" }).fingerprint).not.toBe(base.fingerprint);
    expect(cacheIdentity({ bindings: bindComponents([army]), worldAddresses: ["0x1"], packageVersion: "1.0.0" }).fingerprint).not.toBe(base.fingerprint);
    expect(cacheIdentity({ bindings: bindComponents([army, tile]), worldAddresses: ["0x2"], packageVersion: "1.0.0" }).fingerprint).not.toBe(base.fingerprint);
    expect(cacheIdentity({ bindings: bindComponents([army, tile]), worldAddresses: ["0x1"] }).packageVersion).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("should change with the synced scope (clause and models), bigints included", () => {
    const of = (scope: unknown) => cacheIdentity({ bindings: bindComponents([army, tile]), worldAddresses: ["0x1"], packageVersion: "1.0.0", scope }).fingerprint;
    expect(of({ clause: null, models: [] })).toBe(of({ clause: null, models: [] }));
    expect(of({ clause: { Keys: { keys: [1n] } }, models: [] })).not.toBe(of({ clause: { Keys: { keys: [2n] } }, models: [] }));
    expect(of({ clause: null, models: ["ns-Army"] })).not.toBe(of({ clause: null, models: [] }));
  });
});
