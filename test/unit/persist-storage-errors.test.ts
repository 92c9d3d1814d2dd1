import "fake-indexeddb/auto";
import { IDBFactory } from "fake-indexeddb";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { SyncError } from "../../src/core/errors";
import { clearPersistedSync, openSyncCache, type SyncCache } from "../../src/persist/cache";
import { CACHE_LAYOUT_VERSION } from "../../src/persist/layout";
import { createFakeTime, id, turns, write } from "./persist-fakes";

const IDENTITY = { fingerprint: "schema-a", packageVersion: "1.0.0" };

async function open(factory: IDBFactory | null, errors: SyncError[], identity = IDENTITY): Promise<SyncCache | undefined> {
  return openSyncCache({ name: "cache", identity, indexedDB: factory, timers: createFakeTime().tab(), onError: (error) => errors.push(error) });
}

async function filled(factory: IDBFactory, entities: number): Promise<void> {
  const cache = await open(factory, []);
  const writer = cache?.createWriter();
  writer?.note(Array.from({ length: entities }, (_, i) => write(i + 1, "ns-Army", { hp: [i, 100] })));
  await writer?.flush();
  cache?.close();
}

/** A raw connection, as another program (or a tab of an older layout) holds it: it never closes when asked. */
function rawOpen(factory: IDBFactory, version: number, upgrade: (db: IDBDatabase) => void = () => undefined): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = factory.open("cache", version);
    request.onupgradeneeded = () => upgrade(request.result);
    request.onsuccess = () => resolve(request.result);
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

afterEach(() => {
  vi.restoreAllMocks();
});

describe("bad storage is never fatal", () => {
  it("should report SYNC_CACHE_UNAVAILABLE once and give no cache when there is no IndexedDB (private mode)", async () => {
    const errors: SyncError[] = [];
    expect(await open(null, errors)).toBeUndefined();
    expect(errors.map((e) => e.code)).toEqual(["SYNC_CACHE_UNAVAILABLE"]);
    expect(errors[0]?.message).toMatch(/goes on from the network/);
  });

  it("should report SYNC_CACHE_UNAVAILABLE when opening throws (an opaque origin, a locked-down browser)", async () => {
    const errors: SyncError[] = [];
    const refusing = {
      open: () => {
        throw new DOMException("access denied", "SecurityError");
      },
    } as unknown as IDBFactory;
    expect(await open(refusing as IDBFactory, errors)).toBeUndefined();
    expect(errors.map((e) => e.code)).toEqual(["SYNC_CACHE_UNAVAILABLE"]);
    expect((errors[0]?.cause as DOMException).name).toBe("SecurityError");
  });

  it("should say a newer release made the cache when the database is at a newer layout (VersionError)", async () => {
    const factory = new IDBFactory();
    (await rawOpen(factory, 99)).close();
    const errors: SyncError[] = [];
    expect(await open(factory, errors)).toBeUndefined();
    expect(errors.map((e) => e.code)).toEqual(["SYNC_CACHE_UNAVAILABLE"]);
    expect(errors[0]?.message).toMatch(/made by a newer version of the app/);
  });

  it("should report SYNC_CACHE_QUOTA once, drop and delete the cache, and stop writing when storage is full", async () => {
    const factory = new IDBFactory();
    await filled(factory, 3);
    const errors: SyncError[] = [];
    const cache = await open(factory, errors);
    const writer = cache?.createWriter({ flushIntervalMs: 0 });
    const put = vi.spyOn(IDBObjectStore.prototype, "put").mockImplementation(() => {
      throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
    });
    writer?.note([write(9, "ns-Army", { hp: [1, 200] })]);
    await expect(writer?.flush()).resolves.toBeUndefined();
    writer?.note([write(10, "ns-Army", { hp: [1, 201] })]);
    await writer?.flush();
    expect(errors.map((e) => e.code)).toEqual(["SYNC_CACHE_QUOTA"]);
    expect(cache?.dropped).toBe(true);
    expect(put).toHaveBeenCalledTimes(1);
    put.mockRestore();
    await turns(50);
    expect(await factory.databases()).toEqual([]);
    expect(await cache?.hydrate(() => undefined)).toMatchObject({ complete: false, entities: 0 });
  });

  it("should report SYNC_CACHE_BLOCKED when another connection holds a broken database open", async () => {
    const factory = new IDBFactory();
    const foreign = await rawOpen(factory, 1, (db) => db.createObjectStore("something-else"));
    const errors: SyncError[] = [];
    expect(await open(factory, errors)).toBeUndefined();
    expect(errors.map((e) => e.code)).toEqual(["SYNC_CACHE_BLOCKED"]);
    foreign.close();
    // Once the other side lets go, the next load repairs it.
    const repaired = await open(factory, errors);
    expect(repaired?.dropped).toBe(false);
    expect(errors).toHaveLength(1);
  });

  it("should report SYNC_CACHE_CORRUPT on an unreadable record, hand over nothing of it, and delete the cache", async () => {
    const factory = new IDBFactory();
    await filled(factory, 5);
    const raw = await rawOpen(factory, CACHE_LAYOUT_VERSION);
    // Entity 3's bucket, with a member that has no value.
    await rawPut(raw, "buckets", JSON.stringify({ [id(3)]: { m: [["ns-Army", ["hp", "x"], [], [1]]] } }), ["entities", 3]);
    raw.close();
    const errors: SyncError[] = [];
    const cache = await open(factory, errors);
    const seen: string[] = [];
    const result = await cache?.hydrate((_, messages) => seen.push(...messages.map((m) => m.hashed_keys)));
    expect(result?.complete).toBe(false);
    // Every entity of a slice is decoded before any is handed over: the corrupt one stops them all.
    expect(seen).toEqual([]);
    expect(errors.map((e) => e.code)).toEqual(["SYNC_CACHE_CORRUPT"]);
    expect(cache?.dropped).toBe(true);
    await turns(50);
    expect(await factory.databases()).toEqual([]);
  });

  it("should start empty, with no watermark, on a database of the older layout (a record per entity × model)", async () => {
    const factory = new IDBFactory();
    const old = await rawOpen(factory, 1, (db) => {
      db.createObjectStore("meta");
      db.createObjectStore("entityModels", { keyPath: ["scope", "entityId", "model"] });
      db.createObjectStore("entityTombstones", { keyPath: ["scope", "entityId"] });
    });
    await rawPut(old, "meta", { ...IDENTITY }, "identity");
    await rawPut(old, "meta", { executedAt: 500, takenAt: 1 }, "watermark");
    await rawPut(old, "entityModels", { scope: "entities", entityId: id(1), model: "ns-Army", names: ["hp"], values: [{ type: "primitive", type_name: "u32", value: 1, key: false }], ats: [500] });
    old.close();
    const errors: SyncError[] = [];
    const cache = await open(factory, errors);
    // Same identity, but the watermark stood over records of a layout this code cannot read: both are gone.
    expect(await cache?.readWatermark()).toBeUndefined();
    expect(await cache?.hydrate(() => undefined)).toMatchObject({ complete: true, entities: 0 });
    expect(errors).toEqual([]);
    cache?.close();
    const reopened = await rawOpen(factory, CACHE_LAYOUT_VERSION);
    expect([...reopened.objectStoreNames].sort()).toEqual(["buckets", "meta"]);
    reopened.close();
  });

  it("should report SYNC_CACHE_CORRUPT on an unreadable watermark", async () => {
    const factory = new IDBFactory();
    await filled(factory, 1);
    const raw = await rawOpen(factory, CACHE_LAYOUT_VERSION);
    await rawPut(raw, "meta", { executedAt: "yesterday" }, "watermark");
    raw.close();
    const errors: SyncError[] = [];
    const cache = await open(factory, errors);
    expect(await cache?.readWatermark()).toBeUndefined();
    expect(await cache?.hydrate(() => undefined)).toMatchObject({ complete: false });
    expect(errors.map((e) => e.code)).toEqual(["SYNC_CACHE_CORRUPT"]);
  });

  it("should stop writing, once, when a tab of another schema re-made the cache under the same name", async () => {
    const factory = new IDBFactory();
    const errors: SyncError[] = [];
    const mine = await open(factory, errors);
    const theirs = await open(factory, [], { ...IDENTITY, fingerprint: "schema-b" });
    const writer = mine?.createWriter();
    writer?.note([write(1, "ns-Army", { hp: [1, 100] })]);
    await writer?.flush();
    expect(errors.map((e) => e.code)).toEqual(["SYNC_CACHE_UNAVAILABLE"]);
    expect(await theirs?.hydrate(() => undefined)).toMatchObject({ complete: true, entities: 0 });
  });

  it("should close quietly, with no error, when another tab clears the cache", async () => {
    const factory = new IDBFactory();
    const errors: SyncError[] = [];
    const cache = await open(factory, errors);
    await clearPersistedSync("cache", { indexedDB: factory });
    expect(cache?.dropped).toBe(true);
    expect(errors).toEqual([]);
  });
});
