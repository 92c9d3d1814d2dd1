import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { noPageEnvironment } from "../../src/core/guard/environment";
import { createSyncPipeline, type SyncPipeline, type SyncPipelineOptions } from "../../src/sync/create-sync-pipeline";
import { createEventLog, recentSyncEvents } from "../../src/telemetry/event-log";
import { syncDebugRegistry } from "../../src/telemetry/inspector";
import { MemoryToriiClient } from "../support/memory-client";
import { rawEntity, ty } from "../support/ty";
import { createTestWorld } from "../support/world";

const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(1n), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10n) });
const WORLD = "0x0000000000000000000000000000000000000000000000000000000000abc123";

const pipelines: SyncPipeline[] = [];
let client: MemoryToriiClient;

async function start(extra: Partial<SyncPipelineOptions> = {}): Promise<SyncPipeline> {
  const { world, components } = createTestWorld();
  const p = createSyncPipeline({ client, world, components, environment: noPageEnvironment, logging: false, ...extra });
  pipelines.push(p);
  void p.start();
  await vi.advanceTimersByTimeAsync(100);
  return p;
}

beforeEach(() => {
  vi.useFakeTimers();
  client = new MemoryToriiClient();
  client.rows = [rawEntity(0x2a, 100, { "test-Army": army(7) })];
});

afterEach(() => {
  for (const p of pipelines.splice(0)) p.cancel();
  vi.unstubAllEnvs();
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe("window.__SYNC_DEBUG__", () => {
  it("should register a development build's pipeline under torii-sync:<world address> and remove it on cancel()", async () => {
    vi.stubEnv("NODE_ENV", "development");
    vi.stubGlobal("window", globalThis);
    const p = await start({ worldAddresses: [WORLD] });
    const entry = syncDebugRegistry()?.[`torii-sync:${WORLD}`];
    expect(entry).toBeDefined();
    expect(entry?.state().status).toBe("streaming");
    p.cancel();
    expect(syncDebugRegistry()).toBeUndefined();
    expect("__SYNC_DEBUG__" in globalThis).toBe(false);
  });

  it("should be absent by default in a production build, present when asked by name or with true, absent with false", async () => {
    vi.stubGlobal("window", globalThis);
    vi.stubEnv("NODE_ENV", "production");
    await start();
    expect(syncDebugRegistry()).toBeUndefined();
    await start({ inspector: "torii-sync:game" });
    await start({ inspector: true });
    expect(Object.keys(syncDebugRegistry() ?? {})).toEqual(["torii-sync:game", "torii-sync:default"]);
    vi.stubEnv("NODE_ENV", "development");
    await start({ inspector: false });
    expect(Object.keys(syncDebugRegistry() ?? {})).toEqual(["torii-sync:game", "torii-sync:default"]);
  });

  it("should not attach to a window-less runtime (Node, SSR) unless asked", async () => {
    vi.stubEnv("NODE_ENV", "development");
    await start();
    expect(syncDebugRegistry()).toBeUndefined();
  });

  it("should keep two pipelines apart, made unique with a suffix when they share a name", async () => {
    const game = await start({ inspector: "torii-sync:game" });
    const mobile = await start({ inspector: "torii-sync:mobile" });
    const again = await start({ inspector: "torii-sync:game" });
    expect(Object.keys(syncDebugRegistry() ?? {})).toEqual(["torii-sync:game", "torii-sync:mobile", "torii-sync:game#2"]);
    game.cancel();
    expect(Object.keys(syncDebugRegistry() ?? {})).toEqual(["torii-sync:mobile", "torii-sync:game#2"]);
    again.cancel();
    mobile.cancel();
    expect(syncDebugRegistry()).toBeUndefined();
  });

  it("should read an entity's ledger by minimal or padded id, the queue, the metrics and the recent events", async () => {
    const p = await start({ inspector: "torii-sync:game" });
    const entry = syncDebugRegistry()?.["torii-sync:game"];
    const padded = `0x${"2a".padStart(64, "0")}`;
    const ledger = entry?.ledger("0x2A");
    expect(ledger).toMatchObject({ entityId: padded, models: [expect.objectContaining({ model: "test-Army", at: 100, deleted: false })] });
    expect(ledger?.values["test-Army"]).toMatchObject({ x: 7 });
    expect(entry?.ledger(padded)).toEqual(ledger);
    expect(entry?.ledger("0x99")).toBeUndefined();
    expect(() => entry?.ledger("not an id")).toThrow(/0x-prefixed hex/);
    expect(entry?.queue()).toEqual({ depth: 0, highWater: p.metrics().queueHighWater, compacted: 0, overflows: 0, droppedByReason: p.metrics().droppedByReason });
    expect(entry?.metrics()).toEqual(p.metrics());
    expect(entry?.events().map((event) => event.type)).toEqual(expect.arrayContaining(["replay_started", "replay_finished", "state"]));
    expect(entry?.events(1)).toEqual([entry?.events().at(-1)]);
    expect(recentSyncEvents(p)).toEqual(entry?.events());
    expect(entry?.inspect().ledger.entities.entities).toBe(1);
  });

  it("should forceReplay() and cancel() the pipeline through its entry", async () => {
    const p = await start({ inspector: "torii-sync:game" });
    const entry = syncDebugRegistry()?.["torii-sync:game"];
    const done = entry?.forceReplay();
    await vi.advanceTimersByTimeAsync(100);
    await done;
    expect(p.metrics().replays).toBe(2);
    entry?.cancel();
    expect(p.getState().reason).toBe("cancelled");
    expect(syncDebugRegistry()).toBeUndefined();
  });
});

describe("the recent-events log", () => {
  it("should keep only the newest events, oldest first, however many arrive", () => {
    const log = createEventLog(200);
    for (let i = 0; i < 1_000; i += 1) log.push({ type: "gap", at: i });
    expect(log.size).toBe(200);
    expect(log.recent().map((event) => event.at)).toEqual(Array.from({ length: 200 }, (_, i) => 800 + i));
    expect(log.recent(3).map((event) => event.at)).toEqual([997, 998, 999]);
    expect(log.recent(0)).toEqual([]);
  });
});
