import { getComponentValue, type Entity } from "@dojoengine/recs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { PageEnvironment } from "../../src/core/guard/environment";
import { createSyncPipeline, type SyncPipeline, type SyncPipelineOptions } from "../../src/sync/create-sync-pipeline";
import type { SyncStatus } from "../../src/core/state";
import { MemoryToriiClient } from "../support/memory-client";
import { paddedId, rawEntity, ty } from "../support/ty";
import { createTestWorld, type TestComponents } from "../support/world";

const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(1n), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10n) });

/** A page environment the test drives, counting its listeners. */
class TestEnvironment implements PageEnvironment {
  visibility = new Set<(hidden: boolean) => void>();
  online = new Set<() => void>();
  onVisibilityChange(listener: (hidden: boolean) => void) {
    this.visibility.add(listener);
    return () => this.visibility.delete(listener);
  }
  onOnline(listener: () => void) {
    this.online.add(listener);
    return () => this.online.delete(listener);
  }
  setHidden(hidden: boolean) {
    for (const listener of this.visibility) listener(hidden);
  }
}

let pipeline: SyncPipeline | undefined;
let client: MemoryToriiClient;
let components: TestComponents;
let environment: TestEnvironment;
let statuses: SyncStatus[];

async function streaming(extra: Partial<SyncPipelineOptions> = {}): Promise<SyncPipeline> {
  const setup = createTestWorld();
  components = setup.components;
  statuses = [];
  pipeline = createSyncPipeline({
    client,
    world: setup.world,
    components,
    environment,
    random: () => 0.5,
    onStateChange: (state, previous) => {
      if (state.status !== previous.status) statuses.push(state.status);
    },
    ...extra,
  });
  void pipeline.start();
  await vi.advanceTimersByTimeAsync(100);
  expect(pipeline.getState().status).toBe("streaming");
  return pipeline;
}

beforeEach(() => {
  vi.useFakeTimers();
  client = new MemoryToriiClient();
  environment = new TestEnvironment();
  client.rows = [rawEntity(1, 100, { "test-Army": army(1) }), rawEntity(2, 90, { "test-Army": army(2) })];
});

afterEach(() => {
  pipeline?.cancel();
  pipeline = undefined;
  vi.useRealTimers();
});

describe("Sync Guard liveness (fake timers)", () => {
  it("should never replay in a quiet healthy world: 10 minutes of silence only probe", async () => {
    const p = await streaming();
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(p.metrics().replays).toBe(1);
    // One probe per heartbeatTimeout of silence, not one per check.
    expect(p.metrics().probes).toBeGreaterThanOrEqual(15);
    expect(p.metrics().probes).toBeLessThanOrEqual(20);
    expect(statuses).toEqual(["replaying", "streaming"]);
  });

  it("should never replay in a quiet world probed through SQL either", async () => {
    const sqlCalls: string[] = [];
    const fetch = (async (_url: string, init?: { body?: unknown }) => {
      sqlCalls.push(String(init?.body));
      return new Response(JSON.stringify([{ newest: "1970-01-01 00:01:40", n: 2 }]));
    }) as typeof globalThis.fetch;
    const p = await streaming({ toriiUrl: "http://127.0.0.1:1", fetch });
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(p.metrics().replays).toBe(1);
    expect(sqlCalls.length).toBeGreaterThanOrEqual(15);
  });

  it("should detect a stalled stream while the server advances within heartbeatTimeout + checkInterval", async () => {
    const p = await streaming();
    const stalledAt = Date.now();
    // The server moves entity 1 but the stream stays silent; Torii lists the newest entity first.
    client.rows = [rawEntity(1, 150, { "test-Army": army(77) }), rawEntity(2, 90, { "test-Army": army(2) })];
    let detectedAt: number | undefined;
    p.subscribe((state) => {
      if (state.status === "lagging" && detectedAt === undefined) detectedAt = Date.now();
    });
    await vi.advanceTimersByTimeAsync(36_000);
    expect(detectedAt).toBeDefined();
    expect((detectedAt as number) - stalledAt).toBeLessThanOrEqual(30_000 + 5_000);
    expect(p.getState().status).toBe("streaming");
    expect(p.metrics().replays).toBe(2);
    expect(getComponentValue(components.Army, paddedId(1) as Entity)?.x).toBe(77);
  });

  it("should detect a stall through the SQL watermark and replay until the ledger reaches it", async () => {
    let newest = 100;
    const fetch = (async () => new Response(JSON.stringify([{ newest, n: 2 }]))) as unknown as typeof globalThis.fetch;
    const p = await streaming({ toriiUrl: "http://127.0.0.1:1", fetch });
    client.rows = [rawEntity(2, 90, { "test-Army": army(2) }), rawEntity(1, 160, { "test-Army": army(55) })];
    newest = 160;
    await vi.advanceTimersByTimeAsync(36_000);
    expect(p.metrics().evidence.server_ahead).toBe(1);
    expect(p.getState().status).toBe("streaming");
    expect(getComponentValue(components.Army, paddedId(1) as Entity)?.x).toBe(55);
  });

  it("should start a replay at once on a gap signal", async () => {
    const p = await streaming();
    client.emit({ hashed_keys: "0x0", models: {}, executed_at: 0, updated_at: 0, created_at: 0, world_address: "0x0" });
    expect(p.getState().status).toBe("replaying");
    expect(p.getState().reason).toMatch(/gap/);
  });

  it("should probe at once when the tab comes back after 5 hidden minutes, and replay if the probe cannot vouch for it", async () => {
    const p = await streaming();
    environment.setHidden(true);
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    const probesBefore = p.metrics().probes;
    environment.setHidden(false);
    expect(p.metrics().probes).toBe(probesBefore + 1);
    await vi.advanceTimersByTimeAsync(100);
    expect(p.metrics().evidence.visible_after_hidden).toBe(1);
    expect(p.metrics().replays).toBe(2);
  });

  it("should not probe when the tab was hidden only briefly", async () => {
    const p = await streaming();
    environment.setHidden(true);
    await vi.advanceTimersByTimeAsync(2_000);
    const probesBefore = p.metrics().probes;
    environment.setHidden(false);
    expect(p.metrics().probes).toBe(probesBefore);
  });

  it("should replay when the browser comes back online", async () => {
    const p = await streaming();
    for (const listener of environment.online) listener();
    expect(p.getState().status).toBe("replaying");
    await vi.advanceTimersByTimeAsync(100);
    expect(p.metrics().replays).toBe(2);
  });
});

describe("Sync Guard replay budget (fake timers)", () => {
  it("should retry failing replays with backoff, reach error after three, and recover by forceReplay()", async () => {
    const p = await streaming();
    // A successful boot spent nothing: the budget counts failures in a row.
    expect(p.getState().replayAttempts).toBe(0);
    const failing = client.getEntities.bind(client);
    client.getEntities = () => Promise.reject("torii: connection refused");
    client.emit({ hashed_keys: "0x0", models: {}, executed_at: 0, updated_at: 0, created_at: 0, world_address: "0x0" });
    await vi.advanceTimersByTimeAsync(0);
    expect(p.getState()).toMatchObject({ status: "lagging", replayAttempts: 1 });
    // Backoff 1 s then 2 s (jitter pinned at the middle).
    await vi.advanceTimersByTimeAsync(999);
    expect(p.getState().replayAttempts).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(p.getState().replayAttempts).toBe(2);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(p.getState()).toMatchObject({ status: "error", replayAttempts: 3, canHardReload: true });
    expect(p.getState().lastError?.code).toBe("SYNC_TORII_ERROR");
    expect(p.getState().lastError?.message).toMatch(/connection refused/);
    // Nothing replays by itself in error, whatever happens.
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(p.getState().status).toBe("error");
    client.getEntities = failing;
    client.rows = [rawEntity(1, 300, { "test-Army": army(9) })];
    await p.forceReplay();
    expect(p.getState()).toMatchObject({ status: "streaming", canHardReload: false, lastError: undefined });
    expect(getComponentValue(components.Army, paddedId(1) as Entity)?.x).toBe(9);
  });

  it("should trigger a replay when the queue overflows", async () => {
    const p = await streaming({ queue: { highWaterMark: 5 } });
    for (let i = 10; i < 20; i += 1) client.emit(rawEntity(i, 200, { "test-Army": army(i) }));
    expect(p.metrics().overflows).toBe(1);
    expect(p.getState().status).toBe("replaying");
    await vi.advanceTimersByTimeAsync(200);
    expect(p.getState().status).toBe("streaming");
  });

  it("should remove what the authoritative snapshot lacks, but not on a page error", async () => {
    const p = await streaming();
    client.rows = [rawEntity(2, 90, { "test-Army": army(2) })];
    await p.forceReplay();
    expect(getComponentValue(components.Army, paddedId(1) as Entity)).toBeUndefined();
    expect(p.metrics().reconciled).toBe(1);
  });

  it("should complete a replay in which every item is stale", async () => {
    const p = await streaming();
    // The stream moved both entities past what the server's pages will say: every replayed row is stale.
    client.emit(rawEntity(1, 200, { "test-Army": army(11) }));
    client.emit(rawEntity(2, 200, { "test-Army": army(12) }));
    await vi.advanceTimersByTimeAsync(100);
    const appliedBefore = p.metrics().applied;
    const staleBefore = p.metrics().droppedStale;
    await p.forceReplay();
    expect(p.metrics().droppedStale).toBe(staleBefore + 2);
    expect(getComponentValue(components.Army, paddedId(1) as Entity)?.x).toBe(11);
    expect(p.getState().status).toBe("streaming");
    expect(p.metrics().applied).toBe(appliedBefore);
    expect(p.metrics().replays).toBe(2);
  });
});

describe("Sync Guard teardown", () => {
  it("should leave zero timers, subscribers and page listeners after cancel()", async () => {
    const p = await streaming();
    expect(environment.visibility.size).toBe(1);
    expect(environment.online.size).toBe(1);
    client.emit({ hashed_keys: "0x0", models: {}, executed_at: 0, updated_at: 0, created_at: 0, world_address: "0x0" });
    p.cancel();
    expect(vi.getTimerCount()).toBe(0);
    expect(environment.visibility.size + environment.online.size).toBe(0);
    // The resubscribe was in flight: its subscription is released as soon as the client hands it over.
    await vi.advanceTimersByTimeAsync(0);
    expect(client.subscriberCount).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("should leave nothing behind when cancelled during backoff", async () => {
    const p = await streaming();
    client.getEntities = () => Promise.reject("down");
    client.emit({ hashed_keys: "0x0", models: {}, executed_at: 0, updated_at: 0, created_at: 0, world_address: "0x0" });
    await vi.advanceTimersByTimeAsync(0);
    expect(p.getState().status).toBe("lagging");
    p.cancel();
    expect(vi.getTimerCount()).toBe(0);
    expect(client.subscriberCount).toBe(0);
  });
});
