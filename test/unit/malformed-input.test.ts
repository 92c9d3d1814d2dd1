import { getComponentValue, type Entity } from "@dojoengine/recs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { noPageEnvironment } from "../../src/core/guard/environment";
import { createSyncPipeline, type SyncPipeline } from "../../src/sync/create-sync-pipeline";
import { MemoryToriiClient } from "../support/memory-client";
import { paddedId, rawEntity, ty } from "../support/ty";
import { createTestWorld, type TestComponents } from "../support/world";

const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(1n), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10n) });
/** A Structure whose `guard` struct holds `null` where `count` belongs: the nested version path meets a null child. */
const brokenStructure = () => ({
  owner: ty.address(0xb0bn),
  category: ty.enum("Category", "Realm"),
  level: ty.u8(1),
  guard: { type: "struct", type_name: "Guard", value: { count: null, tier: ty.enum("Tier", "T1") }, key: false } as unknown as ReturnType<typeof ty.u8>,
});

let pipeline: SyncPipeline | undefined;
let client: MemoryToriiClient;
let components: TestComponents;

function create(): SyncPipeline {
  const setup = createTestWorld();
  components = setup.components;
  pipeline = createSyncPipeline({ client, world: setup.world, components, environment: noPageEnvironment, random: () => 0.5, versionPaths: { "test-Structure": "guard.count" } });
  return pipeline;
}

beforeEach(() => {
  vi.useFakeTimers();
  client = new MemoryToriiClient();
});

afterEach(() => {
  pipeline?.cancel();
  pipeline = undefined;
  vi.useRealTimers();
});

describe("malformed input never escapes as anything but a SyncError", () => {
  it("should keep the sibling models of an entity whose nested version path holds null", async () => {
    client.rows = [rawEntity(1, 100, { "test-Army": army(1) })];
    const p = create();
    await Promise.all([p.start(), vi.advanceTimersByTimeAsync(100)]);
    expect(() => client.emit(rawEntity(2, 110, { "test-Army": army(5), "test-Structure": brokenStructure() }))).not.toThrow();
    await vi.advanceTimersByTimeAsync(100);
    expect(getComponentValue(components.Army, paddedId(2) as Entity)?.x).toBe(5);
    expect(getComponentValue(components.Structure, paddedId(2) as Entity)).toBeUndefined();
    expect(p.metrics().rejected).toBeGreaterThan(0);
  });

  it("should finish a replay whose snapshot holds that row", async () => {
    client.rows = [rawEntity(1, 100, { "test-Army": army(1) }), rawEntity(2, 110, { "test-Army": army(5), "test-Structure": brokenStructure() })];
    const p = create();
    await Promise.all([p.start(), vi.advanceTimersByTimeAsync(100)]);
    expect(p.getState().status).toBe("streaming");
    await p.forceReplay();
    expect(p.getState()).toMatchObject({ status: "streaming", replayAttempts: 0 });
    expect(getComponentValue(components.Army, paddedId(2) as Entity)?.x).toBe(5);
  });

  it("should turn anything odd thrown while reading a value into a SyncError with a code", async () => {
    client.rows = [];
    const p = create();
    await Promise.all([p.start(), vi.advanceTimersByTimeAsync(100)]);
    const hostile = { ...rawEntity(3, 120, { "test-Army": army(1) }) };
    // A getter that throws a TypeError when the payload is read.
    Object.defineProperty(hostile.models["test-Army"], "x", { enumerable: true, get: () => { throw new TypeError("boom"); } });
    expect(() => client.emit(hostile)).not.toThrow();
    client.emit(rawEntity(4, 120, { "test-Army": army(4) }));
    await vi.advanceTimersByTimeAsync(100);
    expect(getComponentValue(components.Army, paddedId(4) as Entity)?.x).toBe(4);
    expect(p.metrics().rejectedByCode.SYNC_BAD_PAYLOAD).toBeGreaterThan(0);
  });
});
