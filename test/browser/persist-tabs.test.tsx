// The persisted sync in real Chromium: the browser's own IndexedDB, Web Locks and BroadcastChannel (two pipelines in
// one page stand for two tabs: they share the origin's locks, channel and database). The Torii is in memory.
import { getComponentValue, type Entity } from "@dojoengine/recs";
import { waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import type { SyncPipeline } from "../../src/core/pipeline";
import { clearPersistedSync, createSyncPipeline } from "../../src/sync/index";
import { MemoryToriiClient } from "../support/memory-client";
import { paddedId, rawEntity, ty } from "../support/ty";
import { createTestWorld, type TestComponents } from "../support/world";

const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(0xa11cen), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10) });
const xOf = (components: TestComponents, n: number): number | undefined => getComponentValue(components.Army, paddedId(n) as Entity)?.x;

const started: SyncPipeline[] = [];
const names: string[] = [];

function tab(client: MemoryToriiClient, name: string, tabs = true): { pipeline: SyncPipeline; components: TestComponents } {
  const { world, components } = createTestWorld();
  const pipeline = createSyncPipeline({ client, world, components, worldAddresses: ["0x1"], persist: { name, ...(tabs ? {} : { tabs: false }) }, logging: false, inspector: false });
  started.push(pipeline);
  void pipeline.start();
  return { pipeline, components };
}

const uniqueName = (what: string): string => {
  const name = `persist-browser-${what}-${Math.random().toString(36).slice(2)}`;
  names.push(name);
  return name;
};

afterEach(async () => {
  for (const pipeline of started.splice(0)) pipeline.cancel();
  for (const name of names.splice(0)) await clearPersistedSync(name);
});

describe("persist in Chromium", () => {
  it("should warm-start from the browser's IndexedDB while the pages are held", async () => {
    const name = uniqueName("warm");
    const first = new MemoryToriiClient();
    first.rows = Array.from({ length: 30 }, (_, i) => rawEntity(i + 1, 100, { "test-Army": army(i + 1) }));
    const a = tab(first, name, false);
    await a.pipeline.ready;
    const seen = a.pipeline.metrics().lastExecutedAt;
    await waitFor(() => expect(a.pipeline.metrics().cache?.watermark).toBe(seen), { timeout: 5_000 });
    a.pipeline.cancel();

    const second = new MemoryToriiClient();
    second.beforePage = () => new Promise(() => undefined);
    const b = tab(second, name, false);
    await waitFor(() => expect(b.pipeline.getState().fromCache).toBe(true), { timeout: 5_000 });
    expect(b.components.Army.values.x.size).toBe(30);
    expect(b.pipeline.getState().status).toBe("replaying");
    expect(b.pipeline.metrics().cache).toMatchObject({ hits: 1, entitiesHydrated: 30, errors: 0 });
  });

  it("should let one tab hold the only Torii subscription, relay to the other, and hand over when it closes", async () => {
    expect(typeof navigator.locks?.request).toBe("function");
    const name = uniqueName("tabs");
    const client = new MemoryToriiClient();
    client.rows = Array.from({ length: 8 }, (_, i) => rawEntity(i + 1, 100, { "test-Army": army(i + 1) }));
    const leader = tab(client, name);
    await leader.pipeline.ready;
    const follower = tab(client, name);
    await follower.pipeline.ready;
    expect(client.subscriberCount).toBe(1);
    expect(leader.pipeline.metrics().cache?.tabRole).toBe("leader");
    expect(follower.pipeline.metrics().cache?.tabRole).toBe("follower");
    expect(follower.components.Army.values.x.size).toBe(8);

    client.emit(rawEntity(2, 200, { "test-Army": army(222) }));
    await waitFor(() => expect(xOf(follower.components, 2)).toBe(222), { timeout: 5_000 });

    leader.pipeline.cancel();
    client.rows = [...client.rows, rawEntity(9, 300, { "test-Army": army(9) })];
    await waitFor(() => expect(follower.pipeline.metrics().cache?.tabRole).toBe("leader"), { timeout: 5_000 });
    await waitFor(() => expect(xOf(follower.components, 9)).toBe(9), { timeout: 5_000 });
    expect(client.subscriberCount).toBe(1);
    client.emit(rawEntity(1, 400, { "test-Army": army(111) }));
    await waitFor(() => expect(xOf(follower.components, 1)).toBe(111), { timeout: 5_000 });
  });
});
