import { getComponentValue, type Entity } from "@dojoengine/recs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { normalizeEntityId } from "../../src/core/entity-id";
import { createSyncPipeline } from "../../src/sync/create-sync-pipeline";
import type { SyncUpdate } from "../../src/core/types";
import { createVersionPolicy, packVersion } from "../../src/core/version";
import { MemoryToriiClient } from "../support/memory-client";
import { paddedId, rawEntity, ty } from "../support/ty";
import { createTestWorld } from "../support/world";

const update = (meta: SyncUpdate["meta"], members: Record<string, ReturnType<typeof ty.u32>>): SyncUpdate => ({
  entityId: normalizeEntityId("0x1"),
  scope: "entities",
  models: new Map([["test-Structure", { kind: "write", members: new Map(Object.entries(members)) }]]),
  entityDeleted: false,
  meta,
  origin: "stream",
});

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("VersionPolicy", () => {
  it("should prefer (block, eventIndex), then the component's own version through its path, then executed_at", () => {
    const policy = createVersionPolicy({ versionPaths: { "test-Structure": "guard.count" } });
    const nested = { guard: ty.struct("Guard", { count: ty.u64(77n), tier: ty.enum("T", "T1") }) } as never;
    expect(policy.versionOf(update({ executedAt: 5, updatedAt: 5, block: 9, eventIndex: 2 }, nested), "test-Structure")).toBe(packVersion(9, 2));
    expect(policy.versionOf(update({ executedAt: 5, updatedAt: 5 }, nested), "test-Structure")).toBe(packVersion(77, 0));
    // A partial update without the path's member falls back to executed_at.
    expect(policy.versionOf(update({ executedAt: 5, updatedAt: 5 }, { level: ty.u8(1) }), "test-Structure")).toBe(packVersion(5, 0));
    expect(policy.hasOwnVersion("test-Army")).toBe(false);
  });

  it("should let the component's own version decide through the stream, whatever executed_at says", async () => {
    const client = new MemoryToriiClient();
    const { world, components } = createTestWorld();
    const pipeline = createSyncPipeline({ client, world, components, versionPaths: { "test-Army": "army_id" } });
    await pipeline.start();
    const army = (ownVersion: number, x: number) => ({ army_id: ty.u32(ownVersion), owner: ty.address(1n), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(1n) });
    // executed_at says the second is newer; the component's own version says it is older: it must be dropped.
    client.emit(rawEntity(1, 100, { "test-Army": army(50, 1) }));
    client.emit(rawEntity(1, 200, { "test-Army": army(40, 2) }));
    await vi.advanceTimersByTimeAsync(100);
    expect(getComponentValue(components.Army, paddedId(1) as Entity)?.x).toBe(1);
    expect(pipeline.metrics().droppedStale).toBe(1);
    pipeline.cancel();
  });
});
