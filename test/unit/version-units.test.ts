import { getComponentValue, type Entity } from "@dojoengine/recs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { noPageEnvironment } from "../../src/core/guard/environment";
import { createSyncPipeline, type SyncPipeline } from "../../src/sync/create-sync-pipeline";
import { MemoryToriiClient } from "../support/memory-client";
import { paddedId, rawEntity, ty } from "../support/ty";
import { createTestWorld, type TestComponents } from "../support/world";

// The Army's own version is its `army_id` here: a small counter (a tick), while deletes carry block seconds.
const army = (tick: number, x: number) => ({ army_id: ty.u32(tick), owner: ty.address(1n), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10n) });
const armyOf = (components: TestComponents, id: number) => getComponentValue(components.Army, paddedId(id) as Entity);

let pipeline: SyncPipeline | undefined;
let client: MemoryToriiClient;
let components: TestComponents;

async function streaming(): Promise<SyncPipeline> {
  const setup = createTestWorld();
  components = setup.components;
  pipeline = createSyncPipeline({ client, world: setup.world, components, environment: noPageEnvironment, versionPaths: { "test-Army": "army_id" } });
  await Promise.all([pipeline.start(), vi.advanceTimersByTimeAsync(100)]);
  return pipeline;
}

const settle = () => vi.advanceTimersByTimeAsync(100);

beforeEach(() => {
  vi.useFakeTimers();
  client = new MemoryToriiClient();
  client.rows = [rawEntity(1, 1_700_000_100, { "test-Army": army(5, 1) })];
});

afterEach(() => {
  pipeline?.cancel();
  pipeline = undefined;
  vi.useRealTimers();
});

describe("versions in one unit per comparison (a tick-versioned model)", () => {
  it("should bring back a tick-versioned model deleted and recreated through the stream, with its counter restarted", async () => {
    await streaming();
    client.emit(rawEntity(1, 1_700_000_110, { "test-Army": {} }));
    await settle();
    expect(armyOf(components, 1)).toBeUndefined();
    client.emit(rawEntity(1, 1_700_000_120, { "test-Army": army(1, 42) }));
    await settle();
    expect(armyOf(components, 1)?.x).toBe(42);
  });

  it("should bring it back through a replay after the stream missed the recreate", async () => {
    const p = await streaming();
    client.emit(rawEntity(1, 1_700_000_110, { "test-Army": {} }));
    await settle();
    client.rows = [rawEntity(1, 1_700_000_120, { "test-Army": army(1, 7) })];
    await p.forceReplay();
    expect(armyOf(components, 1)?.x).toBe(7);
  });

  it("should still drop a write from before the delete, whatever its tick says", async () => {
    await streaming();
    client.emit(rawEntity(1, 1_700_000_110, { "test-Army": {} }));
    client.emit(rawEntity(1, 1_700_000_105, { "test-Army": army(9, 3) }));
    await settle();
    expect(armyOf(components, 1)).toBeUndefined();
  });

  it("should delete a tick-versioned model, then recreate it, in one queued burst", async () => {
    await streaming();
    client.emit(rawEntity(1, 1_700_000_110, { "test-Army": {} }));
    client.emit(rawEntity(1, 1_700_000_111, { "test-Army": army(1, 8) }));
    await settle();
    expect(armyOf(components, 1)?.x).toBe(8);
  });

  it("should recreate after a whole-entity delete (the entity floor is in seconds too)", async () => {
    await streaming();
    client.emit({ ...rawEntity(1, 1_700_000_110, {}), models: {} });
    await settle();
    expect(armyOf(components, 1)).toBeUndefined();
    client.emit(rawEntity(1, 1_700_000_120, { "test-Army": army(1, 6) }));
    await settle();
    expect(armyOf(components, 1)?.x).toBe(6);
  });

  it("should keep comparing live writes by the tick, whatever executed_at says", async () => {
    await streaming();
    client.emit(rawEntity(1, 1_700_000_200, { "test-Army": army(4, 2) }));
    await settle();
    expect(armyOf(components, 1)?.x).toBe(1);
    client.emit(rawEntity(1, 1_700_000_090, { "test-Army": army(6, 3) }));
    await settle();
    expect(armyOf(components, 1)?.x).toBe(3);
  });
});

describe("a model versioned by its own tick, recreated after a delete: writes from before the delete stay out", () => {
  it("should drop a write older than the applied model delete once the model has been recreated", async () => {
    await streaming();
    client.emit(rawEntity(1, 1_700_000_110, { "test-Army": {} }));
    await settle();
    client.emit(rawEntity(1, 1_700_000_120, { "test-Army": army(1, 42) }));
    await settle();
    expect(armyOf(components, 1)?.x).toBe(42);
    // A late/duplicated write from before the delete (block 105 < 110): older than an applied delete, never applied.
    client.emit(rawEntity(1, 1_700_000_105, { "test-Army": army(8, 3) }));
    await settle();
    expect(armyOf(components, 1)?.x).toBe(42);
  });
});

describe("a recreate of a tick-versioned model queued with a late write from its previous life", () => {
  it("should keep the recreate when a late write from before an already-applied model delete is queued behind it", async () => {
    await streaming();
    client.emit(rawEntity(1, 1_700_000_110, { "test-Army": {} }));
    await settle();
    expect(armyOf(components, 1)).toBeUndefined();
    // In one drain: the recreate (tick restarted at 1, block 120), then a late/duplicated write from before the delete
    // (tick 8, block 105). The tombstone refuses the late write; the recreate must still land.
    client.emit(rawEntity(1, 1_700_000_120, { "test-Army": army(1, 42) }));
    client.emit(rawEntity(1, 1_700_000_105, { "test-Army": army(8, 3) }));
    await settle();
    expect(armyOf(components, 1)?.x).toBe(42);
  });

  it("should keep the recreate after a whole-entity delete, too (the floor)", async () => {
    await streaming();
    client.emit({ ...rawEntity(1, 1_700_000_110, {}), models: {} });
    await settle();
    expect(armyOf(components, 1)).toBeUndefined();
    client.emit(rawEntity(1, 1_700_000_120, { "test-Army": army(1, 6) }));
    client.emit(rawEntity(1, 1_700_000_105, { "test-Army": army(9, 3) }));
    await settle();
    expect(armyOf(components, 1)?.x).toBe(6);
  });
});
