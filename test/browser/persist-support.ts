// What the browser tests of the persisted sync share: a Torii in memory, the page's raw IndexedDB, a pipeline booted
// with `persist` and watched, and the check that a storage failure was not fatal.
import { getComponentEntities, getComponentValue } from "@dojoengine/recs";
import { waitFor } from "@testing-library/react";
import { expect } from "vitest";
import type { SyncPipeline } from "../../src/core/pipeline";
import type { SyncStatus } from "../../src/core/state";
import type { ToriiValue } from "../../src/core/types";
import type { PersistOptions } from "../../src/persist/index";
import { createSyncPipeline } from "../../src/sync/index";
import { MemoryToriiClient } from "../support/memory-client";
import { paddedId, rawEntity, ty, type RawEntity } from "../support/ty";
import { createTestWorld, type TestComponents } from "../support/world";

/** The page's own IndexedDB, kept before any test hides it. */
export const idb = globalThis.indexedDB;
export const SLOW = { timeout: 20_000 };
export const BUCKETS = "buckets"; // src/persist/layout.ts

export const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(0xa11cen), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10) });

/** A Torii whose world is entity n+1's army at xs[n], written at block time `at`. */
export function torii(xs: readonly number[], at = 100): MemoryToriiClient {
  const client = new MemoryToriiClient();
  client.rows = xs.map((x, i) => rawEntity(i + 1, at, { "test-Army": army(x) }));
  return client;
}

/** Entity → x, as the server holds it and as RECS shows it. */
export const serverWorld = (client: MemoryToriiClient): Record<string, unknown> =>
  Object.fromEntries(client.rows.map((row) => [paddedId(Number((row as RawEntity).hashed_keys)), ((row as RawEntity).models["test-Army"]?.x as ToriiValue).value]));
export const recsWorld = (components: TestComponents): Record<string, unknown> =>
  Object.fromEntries([...getComponentEntities(components.Army)].map((entity) => [entity, getComponentValue(components.Army, entity)?.x]));

/** Undone after each test, last first: pipelines, patches, raw connections, then the databases. */
export const undo: Array<() => unknown> = [];
/** Run every undo step, last first: each test file's afterEach. */
export async function undoAll(): Promise<void> {
  for (const step of undo.splice(0).reverse()) await step();
}

export const uniqueName = (what: string): string => {
  const name = `persist-storage-${what}-${Math.random().toString(36).slice(2)}`;
  undo.push(() => deleteRaw(name));
  return name;
};

/** Delete through the raw API: it waits (rather than fail) while a connection is still closing. */
export function deleteRaw(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = idb.deleteDatabase(name);
    request.onsuccess = () => resolve();
    request.onerror = () => reject(request.error);
  });
}

/** A raw connection, as a tab of another program or layout holds it: it never closes when asked, only in cleanup. */
export function rawOpen(name: string, version: number, upgrade: (db: IDBDatabase) => void = () => undefined): Promise<IDBDatabase> {
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

export function rawPut(db: IDBDatabase, store: string, value: unknown, key?: IDBValidKey): Promise<void> {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(store, "readwrite");
    tx.objectStore(store).put(value, key);
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
  });
}

export const stored = async (name: string): Promise<boolean> => (await idb.databases()).some((info) => info.name === name);

export interface Run {
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

export function boot(client: MemoryToriiClient, persist: PersistOptions): Run {
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
export async function survives(run: Run, client: MemoryToriiClient, code: string): Promise<void> {
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

