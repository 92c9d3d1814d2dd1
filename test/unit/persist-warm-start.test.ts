// The engine's side of a persisted cache (core/warm-start.ts), through a hand-made port: when the warm start runs
// against the replay, what it hands over, and what the cache is told afterwards.
import { getComponentValue, type Entity } from "@dojoengine/recs";
import { afterEach, describe, expect, it } from "vitest";
import { SyncError } from "../../src/core/errors";
import type { CacheSyncEvent } from "../../src/core/events";
import { createCounters } from "../../src/core/metrics";
import { createPipeline, type SyncPipeline } from "../../src/core/pipeline";
import type { AdmittedChange } from "../../src/core/ports";
import { linkCache, type CacheHooks, type CacheHydration, type PersistedCache } from "../../src/core/warm-start";
import { decodeEntity } from "../../src/torii/decode";
import { createToriiSource } from "../../src/torii/source";
import { MemoryToriiClient } from "../support/memory-client";
import { paddedId, rawEntity, ty } from "../support/ty";
import { createTestWorld, type TestComponents } from "../support/world";
import { createFakeTime, turns } from "./persist-fakes";

const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(0xa11cen), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10) });
const xOf = (components: TestComponents, n: number): number | undefined => getComponentValue(components.Army, paddedId(n) as Entity)?.x;

/** A cache port whose hydration waits for `release()` and hands over `rows`. */
class GatedCache implements PersistedCache {
  hooks: CacheHooks | undefined;
  readonly recorded: AdmittedChange[] = [];
  readonly marks: number[] = [];
  readonly batches: number[] = [];
  hydrations = 0;
  closed = 0;
  private open: () => void = () => undefined;
  private readonly gate = new Promise<void>((resolve) => (this.open = resolve));

  constructor(private readonly rows: unknown[]) {}

  release(): void {
    this.open();
  }

  async hydrate(sink: Parameters<PersistedCache["hydrate"]>[0]): Promise<CacheHydration> {
    this.hydrations += 1;
    await this.gate;
    for (const row of this.rows) decodeEntity(row, "entities", false, sink);
    return { hit: this.rows.length > 0, entities: this.rows.length, messages: this.rows.length, durationMs: 12, ageMs: 60_000 };
  }

  record(changes: readonly AdmittedChange[]): void {
    this.recorded.push(...changes);
    this.batches.push(changes.length);
  }

  markComplete(executedAt: number): void {
    this.marks.push(executedAt);
  }

  close(): void {
    this.closed += 1;
  }
}

const time = createFakeTime();
let pipeline: SyncPipeline | undefined;

function start(client: MemoryToriiClient, cache: GatedCache): { pipeline: SyncPipeline; components: TestComponents } {
  const { world, components } = createTestWorld();
  const timers = time.tab();
  pipeline = createPipeline({
    source: createToriiSource(client, { timers }),
    world,
    components,
    timers,
    persist: (hooks: CacheHooks) => {
      cache.hooks = hooks;
      return cache;
    },
  });
  void pipeline.start();
  return { pipeline, components };
}

async function until(condition: () => boolean, rounds = 2_000): Promise<void> {
  for (let i = 0; i < rounds; i += 1) {
    if (condition()) return;
    time.advance(10);
    await turns(2);
  }
  throw new Error("the condition was not met");
}

afterEach(() => {
  pipeline?.cancel();
  pipeline = undefined;
});

describe("the warm start in the engine", () => {
  it("should subscribe while hydrating but read no page before the cached world is admitted", async () => {
    const client = new MemoryToriiClient();
    client.rows = [rawEntity(1, 100, { "test-Army": army(111) })];
    const cache = new GatedCache([rawEntity(1, 100, { "test-Army": army(1) }), rawEntity(2, 100, { "test-Army": army(2) })]);
    const { pipeline: p, components } = start(client, cache);
    await until(() => client.subscribeCalls > 0 && cache.hydrations === 1);
    for (let i = 0; i < 50; i += 1) {
      time.advance(100);
      await turns(2);
    }
    expect(client.pagesServed).toBe(0);
    expect(p.getState()).toMatchObject({ status: "replaying", fromCache: false });

    cache.release();
    await until(() => p.getState().status === "streaming");
    // Same block time: the server's row arrived after the cached one, so it wins the tie.
    expect(xOf(components, 1)).toBe(111);
    // The server's snapshot lacks entity 2: reconciliation removes it, and tells the cache.
    expect(xOf(components, 2)).toBeUndefined();
    await turns(2);
    expect(cache.recorded).toContainEqual({ kind: "delete_model", scope: "entities", entityId: paddedId(2), model: "test-Army", at: 100 });
  });

  it("should mark the state fromCache with the cache's age once the cached world is in RECS, and clear it after the replay", async () => {
    const client = new MemoryToriiClient();
    client.rows = [rawEntity(1, 100, { "test-Army": army(1) })];
    client.beforePage = () => new Promise(() => undefined);
    const cache = new GatedCache([rawEntity(1, 100, { "test-Army": army(1) })]);
    const { pipeline: p, components } = start(client, cache);
    cache.release();
    await until(() => p.getState().fromCache);
    expect(xOf(components, 1)).toBe(1);
    expect(p.getState()).toMatchObject({ status: "replaying", fromCache: true, cacheAgeMs: 60_000 });
    expect(p.metrics().cache).toMatchObject({ hits: 1, misses: 0, entitiesHydrated: 1, messagesHydrated: 1, hydrateMs: 12, ageMs: 60_000 });
  });

  it("should hand the cache what lands after the warm start, once per drain, and the watermark after a replay", async () => {
    const client = new MemoryToriiClient();
    client.rows = [rawEntity(1, 100, { "test-Army": army(1) }), rawEntity(2, 120, { "test-Army": army(2) })];
    const cache = new GatedCache([rawEntity(1, 100, { "test-Army": army(1) })]);
    const { pipeline: p } = start(client, cache);
    cache.release();
    await until(() => p.getState().status === "streaming");
    await turns(2);
    // Entity 1 came from the cache and again (the same) from the page: a tie with what RECS holds is neither written
    // nor handed to the cache again; entity 2 is.
    expect(cache.recorded.filter((change) => change.kind === "write").map((change) => change.entityId)).toEqual([paddedId(2)]);
    expect(p.metrics()).toMatchObject({ unchanged: 1, applied: 2 });
    expect(cache.marks).toEqual([120]);
    const batches = cache.batches.length;
    client.emit(rawEntity(2, 130, { "test-Army": army(22) }));
    client.emit(rawEntity(3, 130, { "test-Army": army(3) }));
    client.emit(rawEntity(4, 130, { "test-Army": army(4) }));
    await until(() => cache.recorded.length === 4);
    expect(cache.batches.slice(batches)).toEqual([3]);
    expect(cache.recorded[1]).toMatchObject({ kind: "write", entityId: paddedId(2), model: "test-Army", ats: [130, 130, 130, 130, 130] });
  });

  it("should count storage failures by code, stop recording, and keep syncing", async () => {
    const client = new MemoryToriiClient();
    client.rows = [rawEntity(1, 100, { "test-Army": army(1) })];
    const cache = new GatedCache([]);
    const { pipeline: p, components } = start(client, cache);
    cache.release();
    await until(() => p.getState().status === "streaming");
    cache.hooks?.failed(new SyncError("SYNC_CACHE_QUOTA", "full"));
    cache.hooks?.failed(new SyncError("SYNC_CACHE_QUOTA", "full"));
    const before = cache.recorded.length;
    client.emit(rawEntity(1, 130, { "test-Army": army(7) }));
    await until(() => xOf(components, 1) === 7);
    await turns(2);
    expect(cache.recorded).toHaveLength(before);
    expect(p.metrics().cache).toMatchObject({ misses: 1, errors: 2, errorsByCode: { SYNC_CACHE_QUOTA: 2 } });
    expect(p.getState().status).toBe("streaming");
  });

  it("should announce a hit with its figures, a miss, and each storage failure as cache events", async () => {
    const events: CacheSyncEvent[] = [];
    const link = (cache: GatedCache) =>
      linkCache(
        (hooks) => {
          cache.hooks = hooks;
          return cache;
        },
        createCounters(),
        {
          ...{ sink: {} as never, subscribeAdmitted: () => () => undefined, flush: async () => undefined, dispatch: () => undefined, publish: () => undefined },
          ...{ now: () => 5, log: { log: () => undefined, once: () => undefined }, isCancelled: () => false, emit: (event: CacheSyncEvent) => events.push(event) },
        },
      );
    const hit = new GatedCache([rawEntity(1, 100, { "test-Army": army(1) })]);
    hit.release();
    const decoded: string[] = [];
    hit.hydrate = async () => (decoded.push("hydrated"), { hit: true, entities: 3, messages: 4, durationMs: 12, ageMs: 60_000 });
    await link(hit)?.warmStart();
    const miss = new GatedCache([]);
    miss.hydrate = async () => ({ hit: false, entities: 0, messages: 0, durationMs: 1, ageMs: undefined });
    await link(miss)?.warmStart();
    miss.hooks?.failed(new SyncError("SYNC_CACHE_CORRUPT", "bad record"));
    expect(decoded).toEqual(["hydrated"]);
    expect(events).toEqual([
      { type: "cache_hit", at: 5, entities: 3, durationMs: 12, ageMs: 60_000 },
      { type: "cache_miss", at: 5 },
      { type: "cache_failed", at: 5, code: "SYNC_CACHE_CORRUPT", message: "bad record" },
    ]);
  });

  it("should close the cache once on cancel, even mid-hydration, and never admit what it hands over after", async () => {
    const client = new MemoryToriiClient();
    const cache = new GatedCache([rawEntity(1, 100, { "test-Army": army(1) })]);
    const { pipeline: p, components } = start(client, cache);
    await until(() => cache.hydrations === 1);
    p.cancel();
    p.cancel();
    cache.release();
    await turns(10);
    expect(cache.closed).toBe(1);
    expect(xOf(components, 1)).toBeUndefined();
    expect(time.pending()).toBe(0);
  });
});
