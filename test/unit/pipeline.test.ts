import { getComponentValue, type Entity } from "@dojoengine/recs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createSyncPipeline, type SyncPipeline } from "../../src/sync/create-sync-pipeline";
import { syncEntitiesDebounced } from "../../src/sync/sync-entities";
import { MemoryToriiClient } from "../support/memory-client";
import { paddedId, rawEntity, ty } from "../support/ty";
import { createTestWorld, type TestComponents } from "../support/world";

const army = (x: number, troops: bigint | number = 10) => ({
  army_id: ty.u32(1),
  owner: ty.address(0xa11cen),
  x: ty.u32(x),
  y: ty.u32(0),
  troops: ty.u128(troops),
});
const structure = (level: number) => ({
  owner: ty.address(0xb0bn),
  category: ty.enum("Category", "Realm"),
  level: ty.u8(level),
  guard: ty.struct("Guard", { count: ty.u128(5n), tier: ty.enum("Tier", "T1") }),
});
const entityOf = (id: number) => paddedId(id) as Entity;

let pipeline: SyncPipeline | undefined;
let client: MemoryToriiClient;
let components: TestComponents;

function start(options: { pageLimit?: number } = {}): SyncPipeline {
  const setup = createTestWorld();
  components = setup.components;
  pipeline = createSyncPipeline({ client, world: setup.world, components, guard: { replayPageLimit: options.pageLimit ?? 40_000 } });
  void pipeline.start();
  return pipeline;
}

/** Let promises and the queue's debounce run on fake time. */
const settle = () => vi.advanceTimersByTimeAsync(200);

beforeEach(() => {
  vi.useFakeTimers();
  client = new MemoryToriiClient();
});

afterEach(() => {
  pipeline?.cancel();
  pipeline = undefined;
  vi.useRealTimers();
});

describe("createSyncPipeline boot", () => {
  it("should page the snapshot by cursor across pages, seed the ledger and reach streaming", async () => {
    client.rows = Array.from({ length: 25 }, (_, i) => rawEntity(i + 1, 100, { "test-Army": army(i) }));
    const p = start({ pageLimit: 10 });
    await settle();
    await expect(p.ready).resolves.toBeUndefined();
    expect(client.pagesServed).toBe(3);
    expect(p.getState()).toMatchObject({ status: "streaming", connection: "open" });
    expect(components.Army.values.x.size).toBe(25);
    expect(p.inspect().ledger.entities.models).toBe(25);
  });

  it("should not stop on a short page while the cursor goes on", async () => {
    client.rows = Array.from({ length: 6 }, (_, i) => rawEntity(i + 1, 100, { "test-Army": army(i) }));
    const real = client.getEntities.bind(client);
    let call = 0;
    client.getEntities = async (query) => {
      call += 1;
      // First page answers 2 rows though 5 were asked, but hands on a cursor.
      if (call === 1) return { items: client.rows.slice(0, 2), next_cursor: "2" };
      return real(query);
    };
    const p = start({ pageLimit: 5 });
    await settle();
    expect(p.getState().status).toBe("streaming");
    expect(components.Army.values.x.size).toBe(6);
  });

  it("should fail with SYNC_REPEATED_CURSOR instead of looping when Torii repeats a cursor", async () => {
    client.rows = Array.from({ length: 30 }, (_, i) => rawEntity(i + 1, 100, { "test-Army": army(i) }));
    client.cursorOverride = () => "same";
    const p = start({ pageLimit: 10 });
    // Three attempts (the default budget) with backoff between them, each stopping at the second page.
    await vi.advanceTimersByTimeAsync(10_000);
    await expect(p.ready).rejects.toMatchObject({ code: "SYNC_REPEATED_CURSOR" });
    expect(p.getState()).toMatchObject({ status: "error", canHardReload: true, replayAttempts: 3 });
    expect(client.pagesServed).toBe(6);
  });

  it("should keep an update that arrives while the snapshot is paged, and not let an older snapshot row overwrite it", async () => {
    client.rows = Array.from({ length: 20 }, (_, i) => rawEntity(i + 1, 100, { "test-Army": army(1) }));
    client.rows[17] = rawEntity(18, 106, { "test-Army": army(60) });
    client.beforePage = (pageIndex) => {
      // Between pages: entity 15 (not yet paged) moves, a brand-new entity 99 appears, and entity 18 moves in a
      // stream message that is older than what its snapshot row will show.
      if (pageIndex === 1) {
        client.emit(rawEntity(15, 105, { "test-Army": army(42) }));
        client.emit(rawEntity(99, 105, { "test-Army": army(7) }));
        client.emit(rawEntity(18, 103, { "test-Army": army(30) }));
      }
    };
    const p = start({ pageLimit: 10 });
    await settle();
    expect(p.getState().status).toBe("streaming");
    expect(getComponentValue(components.Army, entityOf(15))?.x).toBe(42);
    expect(getComponentValue(components.Army, entityOf(99))?.x).toBe(7);
    expect(getComponentValue(components.Army, entityOf(18))?.x).toBe(60);
    expect(components.Army.values.x.size).toBe(21);
    expect(p.metrics().droppedStale).toBe(1);
  });
});

describe("createSyncPipeline streaming", () => {
  async function streaming(): Promise<SyncPipeline> {
    client.rows = [rawEntity(1, 100, { "test-Army": army(1), "test-Structure": structure(1) })];
    const p = start();
    await settle();
    expect(p.getState().status).toBe("streaming");
    return p;
  }

  it("should drop a late update older than the applied one, per model", async () => {
    const p = await streaming();
    client.emit(rawEntity(1, 110, { "test-Army": army(5) }));
    client.emit(rawEntity(1, 105, { "test-Army": army(3) }));
    client.emit(rawEntity(1, 104, { "test-Structure": structure(4) }));
    await settle();
    expect(getComponentValue(components.Army, entityOf(1))?.x).toBe(5);
    // Structure's own version is 100, so its update at 104 lands although Army is at 110.
    expect(getComponentValue(components.Structure, entityOf(1))?.level).toBe(4);
    expect(p.metrics().droppedStale).toBe(1);
  });

  it("should remove a model sent as {} and every model on a whole-entity delete", async () => {
    await streaming();
    client.emit(rawEntity(1, 110, { "test-Army": {} }));
    await settle();
    expect(getComponentValue(components.Army, entityOf(1))).toBeUndefined();
    expect(getComponentValue(components.Structure, entityOf(1))).toBeDefined();
    client.emit(rawEntity(1, 111, {}));
    await settle();
    expect(getComponentValue(components.Structure, entityOf(1))).toBeUndefined();
    // A late write older than the delete does not bring it back; a newer one does.
    client.emit(rawEntity(1, 109, { "test-Structure": structure(9) }));
    await settle();
    expect(getComponentValue(components.Structure, entityOf(1))).toBeUndefined();
    client.emit(rawEntity(1, 112, { "test-Structure": structure(3) }));
    await settle();
    expect(getComponentValue(components.Structure, entityOf(1))?.level).toBe(3);
  });

  it("should accept the legacy (hashedKeys, entity) and the grpc (entity, subscriptionId) callback shapes", async () => {
    await streaming();
    client.emit(paddedId(2), { models: { "test-Army": army(8) }, executed_at: 120, updated_at: 120 });
    client.emit(rawEntity(3, 120, { "test-Army": army(9) }), "subscription-7");
    await settle();
    expect(getComponentValue(components.Army, entityOf(2))?.x).toBe(8);
    expect(getComponentValue(components.Army, entityOf(3))?.x).toBe(9);
  });

  it("should read an entity again when a legacy (hashedKeys, models) callback carries no timestamp, and apply its real version", async () => {
    const p = await streaming();
    client.rows = [rawEntity(1, 150, { "test-Army": army(5) })];
    client.emit(paddedId(1).replace(/^0x0+/, "0x"), { "test-Army": army(5) });
    await settle();
    expect(getComponentValue(components.Army, entityOf(1))?.x).toBe(5);
    // The version that landed is Torii's (150), not 0 and not the local clock: an older stream update is stale.
    client.emit(rawEntity(1, 140, { "test-Army": army(4) }));
    await settle();
    expect(getComponentValue(components.Army, entityOf(1))?.x).toBe(5);
    // A legacy notice for an entity the server no longer lists removes it.
    client.rows = [];
    client.emit(paddedId(1), {});
    await settle();
    expect(getComponentValue(components.Army, entityOf(1))).toBeUndefined();
    expect(p.metrics().rejected).toBe(0);
  });

  it("should treat the all-zero entity as a gap: never applied, and a replay starts at once", async () => {
    const p = await streaming();
    expect(client.subscribeCalls).toBe(1);
    client.emit({ hashed_keys: "0x0", models: {}, executed_at: 0, updated_at: 0, created_at: 0, world_address: "0x0" });
    expect(p.getState().status).toBe("replaying");
    await settle();
    expect(p.metrics().gaps).toBe(1);
    expect(client.subscribeCalls).toBe(2);
    expect(client.subscriberCount).toBe(1);
    expect(p.getState().status).toBe("streaming");
    expect(getComponentValue(components.Army, entityOf(0))).toBeUndefined();
  });

  it("should reject each malformed input with a typed error, count it, and apply every valid update around it", async () => {
    const p = await streaming();
    const valid = (id: number) => rawEntity(id, 130, { "test-Army": army(id) });
    const bad: unknown[] = [
      null,
      "not an entity",
      { models: { "test-Army": army(1) }, executed_at: 1, updated_at: 1 },
      rawEntity("0xnothex", 130, { "test-Army": army(1) }),
      rawEntity(`0x${"1".repeat(65)}`, 130, { "test-Army": army(1) }),
      { ...rawEntity(50, 130, { "test-Army": army(1) }), executed_at: Number.NaN },
      { ...rawEntity(51, 130, { "test-Army": army(1) }), executed_at: -5 },
      { ...rawEntity(52, 130, { "test-Army": army(1) }), updated_at: "yesterday" },
      JSON.parse(`{"hashed_keys":"0x53","executed_at":130,"updated_at":130,"models":{"__proto__":{"x":{"type":"primitive","type_name":"u32","value":1,"key":false}}}}`),
      JSON.parse(`{"hashed_keys":"0x54","executed_at":130,"updated_at":130,"models":{"test-Army":{"constructor":{"type":"primitive","type_name":"u32","value":1,"key":false}}}}`),
      rawEntity(55, 130, { "test-Army": { ...army(1), x: ty.raw("u32", "wrong") } }),
      rawEntity(56, 130, { "test-Army": { ...army(1), troops: ty.raw("u128", (2n ** 200n).toString()) } }),
      rawEntity(57, 130, { "test-Unknown": army(1) }),
      rawEntity(58, 130, { "test-Army": { x: { type: "primitive" } } as never }),
      { hashed_keys: "0x59", models: [], executed_at: 130, updated_at: 130 },
    ];
    for (const [index, input] of bad.entries()) {
      client.emit(input);
      client.emit(valid(100 + index));
    }
    await settle();
    expect(components.Army.values.x.size).toBe(1 + bad.length);
    const byCode = p.metrics().rejectedByCode;
    expect(byCode).toEqual({
      SYNC_BAD_PAYLOAD: 4,
      SYNC_BAD_ID: 3,
      SYNC_BAD_TIMESTAMP: 3,
      SYNC_FORBIDDEN_KEY: 2,
      SYNC_BAD_VALUE: 1,
      SYNC_VALUE_OUT_OF_RANGE: 1,
    });
    expect(p.metrics().rejected).toBe(14);
    // A model no component binds is not an error: counted apart, per model.
    expect(p.metrics().unboundModels).toEqual({ "test-Unknown": 1 });
    expect(Object.prototype).not.toHaveProperty("x");
    // Entities 55 and 56 each carried a member that cannot be converted: the whole write is kept out, never half.
    expect(getComponentValue(components.Army, entityOf(55))).toBeUndefined();
    expect(getComponentValue(components.Army, entityOf(56))).toBeUndefined();
    expect(p.metrics().heldIncomplete).toBe(0);
  });
});

describe("teardown", () => {
  it("should leave no timer, subscription or listener after cancel(), and cancel twice harmlessly", async () => {
    client.rows = [rawEntity(1, 100, { "test-Army": army(1) })];
    const p = start();
    await settle();
    p.subscribe(() => undefined);
    client.emit(rawEntity(1, 101, { "test-Army": army(2) }));
    expect(vi.getTimerCount()).toBeGreaterThan(0);
    p.cancel();
    p.cancel();
    expect(vi.getTimerCount()).toBe(0);
    expect(client.subscriberCount).toBe(0);
    expect(client.cancelCalls).toBe(1);
    expect(p.getState()).toMatchObject({ status: "idle", connection: "closed" });
  });

  it("should reject ready when cancelled before the first consistent state", async () => {
    client.beforePage = () => new Promise(() => undefined);
    const p = start();
    await vi.advanceTimersByTimeAsync(10);
    p.cancel();
    await expect(p.ready).rejects.toMatchObject({ code: "SYNC_CANCELLED" });
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe("syncEntitiesDebounced", () => {
  it("should sync with the call shape games already use and hand back cancel, getState and forceReplay", async () => {
    const { world, components: c } = createTestWorld();
    client.rows = [rawEntity(1, 100, { "test-Army": army(3) })];
    const handle = syncEntitiesDebounced(client, { world, components: c }, undefined, false);
    await settle();
    expect(handle.getState().status).toBe("streaming");
    expect(getComponentValue(c.Army, entityOf(1))?.x).toBe(3);
    client.rows = [rawEntity(1, 200, { "test-Army": army(4) })];
    const replay = handle.forceReplay();
    await settle();
    await replay;
    expect(getComponentValue(c.Army, entityOf(1))?.x).toBe(4);
    handle.cancel();
    expect(client.subscriberCount).toBe(0);
  });
});
