import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { SyncEvent, SyncEventType } from "../../src/core/events";
import { noPageEnvironment } from "../../src/core/guard/environment";
import { createSyncPipeline, type SyncPipeline, type SyncPipelineOptions } from "../../src/sync/create-sync-pipeline";
import { MemoryToriiClient } from "../support/memory-client";
import { rawEntity, ty } from "../support/ty";
import { createTestWorld } from "../support/world";

const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(1n), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10n) });
const ZERO_ENTITY = { hashed_keys: "0x0", models: {}, executed_at: 0, updated_at: 0 };

let pipeline: SyncPipeline | undefined;
let client: MemoryToriiClient;

/** Every event, with the clock read when it arrived: an event says it happened "now" only if `at` is that clock. */
interface Recorded {
  readonly events: SyncEvent[];
  readonly arrivedAt: number[];
  of<T extends SyncEventType>(type: T): Array<Extract<SyncEvent, { type: T }>>;
  types(): SyncEventType[];
}

function record(p: SyncPipeline): Recorded {
  const events: SyncEvent[] = [];
  const arrivedAt: number[] = [];
  p.subscribeEvents((event) => {
    events.push(event);
    arrivedAt.push(Date.now());
  });
  return {
    events,
    arrivedAt,
    of: <T extends SyncEventType>(type: T) => events.filter((event): event is Extract<SyncEvent, { type: T }> => event.type === type),
    types: () => events.map((event) => event.type),
  };
}

function create(extra: Partial<SyncPipelineOptions> = {}): SyncPipeline {
  const { world, components } = createTestWorld();
  pipeline = createSyncPipeline({ client, world, components, environment: noPageEnvironment, random: () => 0.5, logging: false, ...extra });
  return pipeline;
}

async function streaming(extra: Partial<SyncPipelineOptions> = {}): Promise<{ p: SyncPipeline; seen: Recorded }> {
  const p = create(extra);
  const seen = record(p);
  void p.start();
  await vi.advanceTimersByTimeAsync(100);
  expect(p.getState().status).toBe("streaming");
  return { p, seen };
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(1_700_000_000_000);
  client = new MemoryToriiClient();
  client.rows = [rawEntity(1, 100, { "test-Army": army(1) }), rawEntity(2, 100, { "test-Army": army(2) })];
});

afterEach(() => {
  pipeline?.cancel();
  pipeline = undefined;
  vi.useRealTimers();
});

describe("the event stream: every kind, exactly when it happens", () => {
  it("should stamp every event with the clock at the moment it is emitted", async () => {
    const { p, seen } = await streaming();
    client.emit(ZERO_ENTITY);
    await vi.advanceTimersByTimeAsync(60_000);
    p.reportHardReload();
    expect(seen.events.length).toBeGreaterThan(5);
    expect(seen.events.map((event) => event.at)).toEqual(seen.arrivedAt);
  });

  it("should emit `state` for each change of status or connection, and only then", async () => {
    const p = create();
    const seen = record(p);
    const transitions: Array<[string, string]> = [];
    p.subscribe((state, previous) => {
      if (state.status !== previous.status || state.connection !== previous.connection) transitions.push([previous.status, state.status]);
    });
    void p.start();
    await vi.advanceTimersByTimeAsync(100);
    const states = seen.of("state");
    expect(states.map((event) => [event.previous.status, event.state.status])).toEqual(transitions);
    expect(states[0]).toMatchObject({ previous: { status: "idle" }, state: { status: "replaying" } });
    expect(states.at(-1)).toMatchObject({ state: { status: "streaming", connection: "open" } });
    // A quiet healthy minute changes neither status nor connection: no state event.
    const before = states.length;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(seen.of("state")).toHaveLength(before);
  });

  it("should emit `replay_started` when boot begins and `replay_finished` with its duration, pages and entities", async () => {
    client.beforePage = () => new Promise<void>((resolve) => setTimeout(resolve, 250));
    const p = create({ guard: { replayPageLimit: 1 } });
    const seen = record(p);
    expect(seen.events).toEqual([]);
    const t0 = Date.now();
    void p.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(seen.of("replay_started")).toEqual([{ type: "replay_started", at: t0, reason: "boot", forced: false, attempt: 1 }]);
    expect(seen.of("replay_finished")).toEqual([]);
    await vi.advanceTimersByTimeAsync(2_000);
    const [finished] = seen.of("replay_finished");
    // Two rows, one per page, then the empty tail page: three pages of 250 ms.
    expect(finished).toMatchObject({ type: "replay_finished", pages: 2, entities: 2 });
    expect(finished?.durationMs).toBeGreaterThanOrEqual(500);
    expect(finished?.at).toBe(t0 + (finished?.durationMs ?? 0));
    expect(p.metrics().lastReplayMs).toBe(finished?.durationMs);
    // The replay ended before it said so: the status is streaming when replay_finished arrives.
    expect(seen.types().indexOf("replay_finished")).toBeGreaterThan(seen.types().lastIndexOf("state"));
  });

  it("should emit `replay_started` with forced: true only once forceReplay() is called", async () => {
    const { p, seen } = await streaming();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(seen.of("replay_started")).toHaveLength(1);
    const calledAt = Date.now();
    const done = p.forceReplay();
    await vi.advanceTimersByTimeAsync(100);
    await done;
    const forced = seen.of("replay_started")[1];
    expect(forced).toMatchObject({ forced: true, attempt: 1, at: calledAt });
    expect(seen.of("replay_finished")).toHaveLength(2);
  });

  it("should emit `replay_failed` per failed attempt, then `budget_spent` once, when the budget runs out", async () => {
    client.getEntities = () => Promise.reject("torii: unavailable");
    const p = create();
    const seen = record(p);
    void p.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(seen.of("replay_failed")).toEqual([expect.objectContaining({ attempt: 1, budgetSpent: false, code: "SYNC_TORII_ERROR" })]);
    expect(seen.of("budget_spent")).toEqual([]);
    await vi.advanceTimersByTimeAsync(60_000);
    const failed = seen.of("replay_failed");
    expect(failed.map((event) => [event.attempt, event.budgetSpent])).toEqual([
      [1, false],
      [2, false],
      [3, true],
    ]);
    expect(seen.of("replay_started").map((event) => event.attempt)).toEqual([1, 2, 3]);
    const spent = seen.of("budget_spent");
    expect(spent).toEqual([{ type: "budget_spent", at: failed[2]?.at, attempts: 3, code: "SYNC_TORII_ERROR" }]);
    // Announced with the transition to error, right after the third failure.
    expect(seen.types().indexOf("budget_spent")).toBeLessThan(seen.types().lastIndexOf("replay_failed"));
    expect(p.getState().status).toBe("error");
    expect(p.metrics().budgetSpent).toBe(1);
  });

  it("should emit `gap` the moment the client's reconnect entity arrives, then `evidence` and a replay", async () => {
    const { p, seen } = await streaming();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(seen.of("gap")).toEqual([]);
    expect(seen.of("evidence")).toEqual([]);
    const at = Date.now();
    client.emit(ZERO_ENTITY);
    expect(seen.of("gap")).toEqual([{ type: "gap", at }]);
    expect(seen.of("evidence")).toEqual([expect.objectContaining({ evidence: "gap", at })]);
    expect(seen.types().indexOf("gap")).toBeLessThan(seen.types().indexOf("evidence"));
    await vi.advanceTimersByTimeAsync(100);
    expect(seen.of("replay_started")[1]).toMatchObject({ reason: expect.stringMatching(/^gap/), forced: false });
    expect(p.metrics().gaps).toBe(1);
  });

  it("should emit `probe` only once silence reaches heartbeatTimeoutMs, with its outcome", async () => {
    const { p, seen } = await streaming({ guard: { heartbeatTimeoutMs: 30_000, heartbeatCheckIntervalMs: 5_000 } });
    // Silence counts from the last sign of life: the boot's end.
    const quietSince = seen.of("state").at(-1)?.at ?? Number.NaN;
    await vi.advanceTimersByTimeAsync(29_000 - (Date.now() - quietSince));
    expect(seen.of("probe")).toEqual([]);
    await vi.advanceTimersByTimeAsync(7_000);
    const [probe] = seen.of("probe");
    expect(probe).toMatchObject({ reason: "silence", outcome: "healthy" });
    expect(probe?.at).toBeGreaterThanOrEqual(quietSince + 30_000);
    expect(probe?.at).toBeLessThanOrEqual(quietSince + 30_000 + 5_000);
    expect(p.metrics().probesByOutcome.healthy).toBe(seen.of("probe").length);
  });

  it("should emit a probe that `failed` when the server does not answer, and act on it as evidence", async () => {
    const { p, seen } = await streaming({ guard: { heartbeatTimeoutMs: 30_000, heartbeatCheckIntervalMs: 5_000 } });
    client.getEntities = () => Promise.reject("torii: down");
    await vi.advanceTimersByTimeAsync(36_000);
    const [probe] = seen.of("probe");
    expect(probe?.outcome).toBe("failed");
    expect(seen.of("evidence")[0]).toMatchObject({ evidence: "probe_failed", at: probe?.at });
    expect(p.metrics().probesByOutcome.failed).toBeGreaterThanOrEqual(1);
  });

  it("should emit `overflow` with the backlog dropped when the queue passes its high-water mark, and no sooner", async () => {
    const { p, seen } = await streaming({ queue: { highWaterMark: 10 } });
    for (let i = 0; i < 10; i += 1) client.emit(rawEntity(100 + i, 200, { "test-Army": army(i) }));
    expect(seen.of("overflow")).toEqual([]);
    const at = Date.now();
    for (let i = 10; i < 50; i += 1) client.emit(rawEntity(100 + i, 200, { "test-Army": army(i) }));
    const overflows = seen.of("overflow");
    expect(overflows.length).toBeGreaterThanOrEqual(1);
    expect(overflows[0]).toMatchObject({ at });
    expect(overflows[0]?.dropped).toBeGreaterThanOrEqual(10);
    expect(seen.of("evidence")[0]).toMatchObject({ evidence: "overflow" });
    expect(p.metrics().overflows).toBe(overflows.length);
  });

  // The replay's buffer overflows too: its backlog is dropped, announced and counted like the queue's.
  it("should emit `overflow` when the replay's buffer passes its high-water mark while a snapshot pages", async () => {
    const { p, seen } = await streaming({ queue: { highWaterMark: 10 } });
    let release: () => void = () => undefined;
    client.beforePage = () => new Promise<void>((resolve) => (release = resolve));
    void p.forceReplay();
    await vi.advanceTimersByTimeAsync(10);
    const at = Date.now();
    for (let i = 0; i < 50; i += 1) client.emit(rawEntity(100 + i, 200, { "test-Army": army(i) }));
    client.beforePage = undefined;
    release();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(p.metrics().droppedByReason.overflow).toBeGreaterThanOrEqual(10);
    expect(seen.of("replay_failed")[0]).toMatchObject({ code: "SYNC_QUEUE_OVERFLOW" });
    expect(seen.of("overflow")[0]).toMatchObject({ at });
    expect(p.metrics().overflows).toBeGreaterThanOrEqual(1);
  });

  it("should emit `rejected` for each malformed model, with its code, model and entity", async () => {
    const { seen } = await streaming();
    const bad = { army_id: ty.u32(1), owner: ty.address(1n), x: ty.raw("u32", "wrong"), y: ty.u32(0), troops: ty.u128(1n) };
    const at = Date.now();
    client.emit(rawEntity(7, 300, { "test-Army": bad }));
    client.emit(rawEntity(8, 300, { "test-Army": bad }));
    await vi.advanceTimersByTimeAsync(100);
    const rejected = seen.of("rejected");
    expect(rejected).toHaveLength(2);
    expect(rejected[0]).toMatchObject({ code: "SYNC_BAD_VALUE", model: "test-Army", entityId: `0x${"7".padStart(64, "0")}` });
    expect(rejected[0]?.at).toBeGreaterThanOrEqual(at);
    expect(rejected[0]?.at).toBeLessThanOrEqual(at + 100);
  });

  it("should emit `hard_reload_requested` when the UI reports a hard reload, and never by itself", async () => {
    const { p, seen } = await streaming();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(seen.of("hard_reload_requested")).toEqual([]);
    const at = Date.now();
    p.reportHardReload();
    expect(seen.of("hard_reload_requested")).toEqual([{ type: "hard_reload_requested", at }]);
  });

  it("should emit nothing after cancel()", async () => {
    const { p, seen } = await streaming();
    p.cancel();
    const count = seen.events.length;
    client.emit(ZERO_ENTITY);
    p.reportHardReload();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(seen.events).toHaveLength(count);
  });
});
