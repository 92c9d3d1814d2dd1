import { getComponentValue, type Entity } from "@dojoengine/recs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createPipeline } from "../../src/core/pipeline";
import { noPageEnvironment } from "../../src/core/guard/environment";
import type { IntakeSink, SyncSource } from "../../src/core/ports";
import { normalizeEntityId } from "../../src/core/entity-id";
import { createSyncPipeline, type SyncPipeline, type SyncPipelineOptions } from "../../src/sync/create-sync-pipeline";
import type { DropReason } from "../../src/core/drops";
import { MemoryToriiClient } from "../support/memory-client";
import { paddedId, rawEntity, ty } from "../support/ty";
import { createTestWorld, type TestComponents } from "../support/world";

const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(1n), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10n) });
const settle = () => vi.advanceTimersByTimeAsync(200);

let pipeline: SyncPipeline | undefined;
let client: MemoryToriiClient;
let components: TestComponents;

async function streaming(extra: Partial<SyncPipelineOptions> = {}): Promise<SyncPipeline> {
  const setup = createTestWorld();
  components = setup.components;
  pipeline = createSyncPipeline({ client, world: setup.world, components, environment: noPageEnvironment, random: () => 0.5, ...extra });
  await Promise.all([pipeline.start(), settle()]);
  return pipeline;
}

/** Only the reasons named are non-zero: every other path drops nothing. */
function expectDrops(p: SyncPipeline, expected: Partial<Record<DropReason, number>>): void {
  const counts = p.metrics().droppedByReason;
  for (const [reason, count] of Object.entries(counts)) expect(count, reason).toBe(expected[reason as DropReason] ?? 0);
}

beforeEach(() => {
  vi.useFakeTimers();
  client = new MemoryToriiClient();
  client.rows = [rawEntity(1, 100, { "test-Army": army(1) })];
});

afterEach(() => {
  pipeline?.cancel();
  pipeline = undefined;
  vi.useRealTimers();
});

describe("every drop is counted, per reason, in droppedByReason", () => {
  it("stale: older than what the ledger applied", async () => {
    const p = await streaming();
    client.emit(rawEntity(1, 90, { "test-Army": army(2) }));
    await settle();
    expectDrops(p, { stale: 1 });
  });

  it("superseded: older than a change still waiting in the queue", async () => {
    const p = await streaming();
    client.emit(rawEntity(1, 120, { "test-Army": army(3) }));
    client.emit(rawEntity(1, 110, { "test-Army": army(2) }));
    await settle();
    expectDrops(p, { superseded: 1 });
    expect(getComponentValue(components.Army, paddedId(1) as Entity)?.x).toBe(3);
  });

  it("unknown_model: a model no component binds", async () => {
    const p = await streaming();
    client.emit(rawEntity(2, 110, { "other-Quest": { id: ty.u32(1) } }));
    await settle();
    expectDrops(p, { unknown_model: 1 });
  });

  it("unknown_member: a member the schema lacks (a newer contract); the rest lands", async () => {
    const p = await streaming();
    client.emit(rawEntity(1, 110, { "test-Army": { ...army(4), speed: ty.u32(9) } }));
    await settle();
    expectDrops(p, { unknown_member: 1 });
    expect(getComponentValue(components.Army, paddedId(1) as Entity)?.x).toBe(4);
  });

  it("malformed: a payload that cannot be read", async () => {
    const p = await streaming();
    client.emit({ hashed_keys: "not hex", models: {}, executed_at: 1, updated_at: 1 });
    await settle();
    expectDrops(p, { malformed: 1 });
    expect(p.metrics().rejectedByCode.SYNC_BAD_ID).toBe(1);
  });

  it("unconvertible: a member whose value cannot be converted keeps the whole write out", async () => {
    const p = await streaming();
    client.emit(rawEntity(1, 110, { "test-Army": { ...army(5), x: ty.raw("u32", "five") } }));
    await settle();
    expectDrops(p, { unconvertible: 1 });
    expect(getComponentValue(components.Army, paddedId(1) as Entity)?.x).toBe(1);
  });

  it("overflow: the backlog past the high-water mark, one per entity dropped", async () => {
    const p = await streaming({ queue: { highWaterMark: 5 } });
    for (let id = 10; id < 16; id += 1) client.emit(rawEntity(id, 110, { "test-Army": army(id) }));
    expect(p.metrics().droppedByReason.overflow).toBe(5);
  });

  it("closed_stream: a message on a stream the pipeline already closed", async () => {
    // A client whose callbacks outlive cancel(): the adapter stops them at its door.
    const leaky = new MemoryToriiClient();
    leaky.rows = client.rows;
    const callbacks: Array<(...args: unknown[]) => void> = [];
    leaky.onEntityUpdated = async (_clause, _worlds, callback) => {
      callbacks.push(callback);
      return { cancel: () => undefined };
    };
    client = leaky;
    const p = await streaming();
    client.emit({ hashed_keys: "0x0", models: {}, executed_at: 0, updated_at: 0 });
    callbacks[0]?.({ hashed_keys: "0x0", models: {}, executed_at: 0, updated_at: 0 });
    await settle();
    // The gap made the pipeline resubscribe: the first stream is closed, its late message is counted, not applied.
    callbacks[0]?.(rawEntity(1, 130, { "test-Army": army(9) }));
    await settle();
    expect(p.metrics().droppedByReason.closed_stream).toBeGreaterThanOrEqual(1);
    expect(getComponentValue(components.Army, paddedId(1) as Entity)?.x).toBe(1);
  });

  it("cancelled: what a misbehaving source still delivers after cancel()", async () => {
    let sinkHeld: IntakeSink | undefined;
    const source: SyncSource = {
      scopes: ["entities"],
      fetchPage: async () => ({ nextCursor: undefined, rows: 0 }),
      subscribe: async (_scope, sink) => {
        sinkHeld = sink;
        return { cancel: () => undefined, cancelled: false };
      },
      openStreams: () => 1,
      cancelPending: () => undefined,
    };
    const { world, components: c } = createTestWorld();
    const p = createPipeline({ source, world, components: c, environment: noPageEnvironment });
    await Promise.all([p.start(), settle()]);
    p.cancel();
    const id = normalizeEntityId("0x5");
    sinkHeld?.write("entities", id, 200, "test-Army", army(1));
    sinkHeld?.entityEnd("entities", id, 200);
    expect(p.metrics().droppedByReason.cancelled).toBe(1);
  });
});
