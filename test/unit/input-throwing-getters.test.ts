import { getComponentValue, type Entity } from "@dojoengine/recs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { noPageEnvironment } from "../../src/core/guard/environment";
import { createSyncPipeline, type SyncPipeline } from "../../src/sync/create-sync-pipeline";
import { MemoryToriiClient } from "../support/memory-client";
import { paddedId, rawEntity, ty } from "../support/ty";
import { createTestWorld, type TestComponents } from "../support/world";

const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(1n), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10n) });

/** An entity whose `field` getter throws a TypeError when read (a hostile or broken payload object). */
function hostile(id: number, field: "models" | "executed_at"): object {
  const entity: Record<string, unknown> = { ...rawEntity(id, 120, { "test-Army": army(9) }) };
  Object.defineProperty(entity, field, { enumerable: true, get: () => { throw new TypeError(`boom: ${field}`); } });
  return entity;
}

let pipeline: SyncPipeline | undefined;
let client: MemoryToriiClient;
let components: TestComponents;

function create(): SyncPipeline {
  const setup = createTestWorld();
  components = setup.components;
  pipeline = createSyncPipeline({ client, world: setup.world, components, environment: noPageEnvironment, random: () => 0.5 });
  return pipeline;
}

const armyX = (id: number) => getComponentValue(components.Army, paddedId(id) as Entity)?.x;

beforeEach(() => {
  vi.useFakeTimers();
  client = new MemoryToriiClient();
});

afterEach(() => {
  pipeline?.cancel();
  pipeline = undefined;
  vi.useRealTimers();
});

describe("input: an entity object whose top-level getters throw", () => {
  for (const field of ["models", "executed_at"] as const) {
    it(`should reject a streamed entity whose ${field} getter throws with a SyncError, not let a TypeError out of the callback`, async () => {
      client.rows = [rawEntity(1, 100, { "test-Army": army(1) })];
      const p = create();
      await Promise.all([p.start(), vi.advanceTimersByTimeAsync(100)]);
      expect(() => client.emit(hostile(3, field))).not.toThrow();
      client.emit(rawEntity(4, 120, { "test-Army": army(4) }));
      await vi.advanceTimersByTimeAsync(100);
      expect(armyX(4)).toBe(4);
      expect(p.metrics().rejected).toBeGreaterThan(0);
    });

    it(`should finish a replay whose page holds an entity whose ${field} getter throws, with the valid rows of that page applied`, async () => {
      client.rows = [rawEntity(1, 100, { "test-Army": army(1) }), hostile(2, field), rawEntity(3, 100, { "test-Army": army(3) })];
      const p = create();
      await Promise.all([p.start().catch(() => undefined), vi.advanceTimersByTimeAsync(120_000)]);
      expect(p.getState().status).toBe("streaming");
      expect(armyX(1)).toBe(1);
      expect(armyX(3)).toBe(3);
      expect(p.metrics().rejected).toBeGreaterThan(0);
    });
  }

  it("should reject a streamed deletion (empty models) whose hashed_keys getter throws, not let a TypeError out of the callback", async () => {
    client.rows = [rawEntity(1, 100, { "test-Army": army(1) })];
    const p = create();
    await Promise.all([p.start(), vi.advanceTimersByTimeAsync(100)]);
    const entity: Record<string, unknown> = { ...rawEntity(1, 120, {}) };
    Object.defineProperty(entity, "hashed_keys", { enumerable: true, get: () => { throw new TypeError("boom: hashed_keys"); } });
    expect(() => client.emit(entity)).not.toThrow();
    await vi.advanceTimersByTimeAsync(100);
    expect(armyX(1)).toBe(1);
    expect(p.metrics().rejectedByCode.SYNC_BAD_PAYLOAD).toBeGreaterThan(0);
  });
});
