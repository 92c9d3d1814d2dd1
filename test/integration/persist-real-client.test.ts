// Warm start with the real wasm Torii client against the fake server, on a real IndexedDB implementation
// (fake-indexeddb): the second pipeline draws the cached world while the fake holds its pages, then converges.
import "fake-indexeddb/auto";
import { IDBFactory } from "fake-indexeddb";
import { afterEach, describe, expect, it } from "vitest";
import { createWorld } from "@dojoengine/recs";
import { defineBlitzComponents, waitFor } from "torii-sync-guard/testing";
import type { SyncState } from "../../src/core/state";
import { createSyncPipeline } from "../../src/sync/create-sync-pipeline";
import type { ToriiClientLike } from "../../src/torii/client-types";
import { diffWorld, type WorldDiff } from "../support/compare-world";
import { converged, realClientRigs } from "../support/real-client";

const rigs = realClientRigs();
const cancels: Array<() => void> = [];
afterEach(async () => {
  for (const cancel of cancels.splice(0)) cancel();
  await rigs.teardown();
});

describe("persist with the real Torii client", () => {
  it("should show the cached world in RECS while the fake holds its pages, then converge to the server", async () => {
    const persist = { name: "warm-start", indexedDB: new IDBFactory() };
    const first = await rigs.start(41, () => ({ persist, guard: { replayPageLimit: 25 } }));
    await first.pipeline.start();
    await converged(first.fake, first.components);
    // The cache has written everything the first boot admitted: its watermark (written last) is the replay's.
    const seen = first.pipeline.metrics().lastExecutedAt;
    await waitFor(() => first.pipeline.metrics().cache?.watermark === seen, { timeoutMs: 10_000, description: "the cache's watermark" });
    const cachedWorld = structuredClone(first.fake.world.entities());
    first.pipeline.cancel();

    // The world moves on while no tab is open; the next boot's first page is held by the fake.
    first.fake.world.step(10);
    expect(diffWorld(first.fake.world.entities(), first.components).mismatches.length).toBeGreaterThan(0);
    const pagesBefore = first.fake.stats().requests.RetrieveEntities ?? 0;
    first.fake.chaos.slowNextPages(1, 1_500);

    const components = defineBlitzComponents(createWorld());
    let atWarmStart: { diff: WorldDiff; pages: number; state: SyncState } | undefined;
    const second = createSyncPipeline({ client: first.client as unknown as ToriiClientLike, world: createWorld(), components, worldAddresses: [first.fake.worldAddress], persist, guard: { replayPageLimit: 25 } });
    cancels.push(() => second.cancel());
    second.subscribe((state, previous) => {
      // The moment the cache's world is in RECS: compare it with the world the cache was written from.
      if (state.fromCache && !previous.fromCache) atWarmStart = { diff: diffWorld(cachedWorld, components), pages: (first.fake.stats().requests.RetrieveEntities ?? 0) - pagesBefore, state };
    });
    void second.start();

    const warm = await waitFor(() => atWarmStart, { timeoutMs: 10_000, description: "the warm start" });
    expect(warm.diff.mismatches).toEqual([]);
    expect(warm.diff.compared).toBeGreaterThan(40);
    expect(warm.pages).toBe(0);
    expect(warm.state).toMatchObject({ status: "replaying", fromCache: true });
    expect(warm.state.cacheAgeMs).toBeGreaterThanOrEqual(0);
    // The fake now holds the first page: RECS still shows the cached world.
    await waitFor(() => (first.fake.stats().requests.RetrieveEntities ?? 0) > pagesBefore, { description: "the first page request" });
    expect(diffWorld(cachedWorld, components).mismatches).toEqual([]);
    expect(second.getState()).toMatchObject({ status: "replaying", fromCache: true });
    const metrics = second.metrics();
    expect(metrics.cache).toMatchObject({ hits: 1, misses: 0, errors: 0 });
    expect(metrics.cache?.entitiesHydrated).toBe(new Set(cachedWorld.map((e) => e.hashed_keys)).size);

    await second.ready;
    expect(second.getState()).toMatchObject({ status: "streaming", fromCache: false });
    await converged(first.fake, components);
  });

  it("should replay only the 1 % changed since the cache's watermark (100,000 entities), counted at the fake, and equal the server", async () => {
    const persist = { name: "incremental", indexedDB: new IDBFactory() };
    const first = await rigs.start(43, (fake) => ({ persist, toriiUrl: fake.url, guard: { replayPageLimit: 1_000 } }));
    const { fake } = first;
    const tiles = Array.from({ length: 100_000 }, (_, i) => [1 + (i % 400), 1 + Math.floor(i / 400)] as const);
    fake.world.batch(() => {
      for (const [x, y] of tiles) fake.world.setModel({ keys: [x, y] }, "blitz-Tile", { biome: "Snow", occupier_id: 0, explored_at: 1, discovered_by: null });
    });
    // The newest write (the watermark) well after the tiles', so its overlap re-reads only itself.
    fake.world.step(10, { quiet: true });
    fake.world.updateMembers({ keys: [1, 1] }, "blitz-Tile", { explored_at: 2 });
    await first.pipeline.start();
    const total = fake.world.entities().length;
    expect(total).toBeGreaterThan(100_000);
    const fullPages = fake.stats().requests.RetrieveEntities ?? 0;
    const seen = first.pipeline.metrics().lastExecutedAt;
    await waitFor(() => first.pipeline.metrics().cache?.watermark === seen, { timeoutMs: 240_000, description: "the cache's watermark" });
    first.pipeline.cancel();

    fake.world.step(10, { quiet: true });
    const changed = tiles.filter((_, i) => i % 100 === 50);
    for (const [x, y] of changed) fake.world.updateMembers({ keys: [x, y] }, "blitz-Tile", { explored_at: 3, occupier_id: 7 });
    const before = fake.stats().requests.RetrieveEntities ?? 0;
    const components = defineBlitzComponents(createWorld());
    const second = createSyncPipeline({ client: first.client as unknown as ToriiClientLike, world: createWorld(), components, worldAddresses: [fake.worldAddress], persist, toriiUrl: fake.url, guard: { replayPageLimit: 1_000 } });
    cancels.push(() => second.cancel());
    await second.start();

    const pages = (fake.stats().requests.RetrieveEntities ?? 0) - before;
    const metrics = second.metrics();
    console.info(`[incremental] ${total} entities; first boot ${fullPages} pages; warm boot ${pages} request(s), ${metrics.received} entities received, ${metrics.cache?.incrementalEntities} read by id`);
    expect(changed).toHaveLength(1_000);
    // 1,001 ids at 500 per request.
    expect(pages).toBe(3);
    expect(fullPages).toBeGreaterThanOrEqual(100);
    // The 1,000 changed tiles and the watermark's own entity (in its overlap): nothing else was read.
    expect(metrics.cache).toMatchObject({ hits: 1, incrementalReplays: 1, incrementalEntities: 1_001, incrementalFallbacks: 0 });
    expect(metrics.received).toBe(1_001);
    await converged(fake, components);
  }, 600_000);

  it("should go on from the network when the browser has no IndexedDB, with one SYNC_CACHE_UNAVAILABLE", async () => {
    const rig = await rigs.start(42, () => ({ persist: { name: "none", indexedDB: null }, guard: { replayPageLimit: 25 } }));
    await rig.pipeline.start();
    await converged(rig.fake, rig.components);
    expect(rig.pipeline.metrics().cache).toMatchObject({ hits: 0, misses: 1, errors: 1, errorsByCode: { SYNC_CACHE_UNAVAILABLE: 1 } });
  });
});
