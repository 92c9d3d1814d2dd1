import { afterEach, describe, expect, it } from "vitest";
import { createSqlMapSource, type SqlMapQuery, type SqlMapSource } from "../../src/map/sql-source";
import { startFakeTorii, waitFor, type FakeTorii } from "torii-sync-guard/testing";
import { realClientRigs } from "../support/real-client";
import { ManualTimers } from "../support/manual-timers";

const STRUCTURES: SqlMapQuery = {
  sql: `SELECT s.internal_entity_id AS id, e.executed_at AS executed_at, s.level AS level, s."guards.count" AS guards FROM "blitz-Structure" s JOIN entities e ON e.id = s.internal_entity_id`,
};

const rigs = realClientRigs();
let fake: FakeTorii | undefined;
let source: SqlMapSource | undefined;

afterEach(async () => {
  source?.stop();
  source = undefined;
  await rigs.teardown();
  await fake?.close();
  fake = undefined;
});

async function withPipeline(seed: number) {
  return rigs.start(seed);
}

describe("createSqlMapSource against the fake Torii's real SQLite /sql", () => {
  it("should refresh after the initial sync and then on its cadence", async () => {
    const { fake: f, pipeline: p } = await withPipeline(31);
    const timers = new ManualTimers();
    source = createSqlMapSource({ url: f.url, queries: { structures: STRUCTURES }, pipeline: p, timers, refreshMs: 20_000 });
    source.start();
    expect(source.getStatus().refreshes).toBe(0);
    await p.start();
    await waitFor(() => source?.getStatus().refreshes === 1, { description: "the first refresh after the initial sync" });
    const structures = f.world.idsWith("blitz-Structure").length;
    expect(source.rows("structures").size).toBe(structures);
    expect(source.getStatus()).toMatchObject({ status: "ok", lastRefreshAt: 0 });
    timers.advance(19_999);
    expect(source.getStatus().refreshes).toBe(1);
    timers.advance(1);
    await waitFor(() => source?.getStatus().refreshes === 2, { description: "the cadence refresh" });
    expect(source.getStatus().lastRefreshAt).toBe(20_000);
  });

  it("should retry a failing refresh with backoff, surface the error, and recover", async () => {
    fake = await startFakeTorii({ seed: 32, world: { seed: 32 } });
    const timers = new ManualTimers();
    let failuresLeft = 3;
    let calls = 0;
    const fetch = (async (input: string, init?: RequestInit) => {
      calls += 1;
      if (failuresLeft > 0) {
        failuresLeft -= 1;
        return new Response("indexer busy", { status: 503 });
      }
      return globalThis.fetch(input, init);
    }) as typeof globalThis.fetch;
    source = createSqlMapSource({ url: fake.url, queries: { structures: STRUCTURES }, timers, fetch, random: () => 0.5, retry: { attempts: 3, backoff: { baseMs: 1_000 } } });
    source.start();
    // Backoff between attempts: 1 s, then 2 s (jitter pinned to the middle).
    await waitFor(() => timers.delays.includes(1_000), { description: "the first backoff" });
    expect(calls).toBe(1);
    timers.advance(999);
    expect(calls).toBe(1);
    timers.advance(1);
    await waitFor(() => timers.delays.includes(2_000), { description: "the second backoff" });
    expect(calls).toBe(2);
    timers.advance(2_000);
    await waitFor(() => source?.getStatus().status === "error", { description: "the error after three attempts" });
    expect(calls).toBe(3);
    expect(source.getStatus().lastError?.message).toMatch(/HTTP 503/);
    // The next cadence refresh works again.
    await waitFor(() => timers.delays.includes(20_000), { description: "the cadence to be scheduled" });
    timers.advance(20_000);
    await waitFor(() => source?.getStatus().status === "ok", { description: "recovery" });
    expect(source.rows("structures").size).toBeGreaterThan(0);
  });

  it("should mark a row stale when the stream brings a newer version, and refresh just that entity", async () => {
    const { fake: f, pipeline: p } = await withPipeline(33);
    await p.start();
    source = createSqlMapSource({ url: f.url, queries: { structures: STRUCTURES }, pipeline: p, staleBatchMs: 10 });
    source.start();
    await waitFor(() => source?.getStatus().refreshes === 1);
    const [target] = f.world.idsWith("blitz-Structure");
    if (target === undefined) throw new Error("no structure");
    const sqlCallsBefore = f.stats().requests["/sql"] ?? 0;
    let sawStale = false;
    const stop = source.subscribe(() => {
      if (source?.row("structures", target as never)?.stale === true) sawStale = true;
    });
    f.world.step(3, { quiet: true });
    f.world.updateMembers(target, "blitz-Structure", { level: 9 });
    await waitFor(() => sawStale, { description: "the row to be marked stale" });
    await waitFor(() => source?.row("structures", target as never)?.values.level === 9, { description: "the targeted refresh" });
    stop();
    expect(source.row("structures", target as never)?.stale).toBe(false);
    expect(source.getStatus().status).toBe("ok");
    // One targeted query, not a full refresh.
    expect((f.stats().requests["/sql"] ?? 0) - sqlCallsBefore).toBe(1);
    expect(source.getStatus().refreshes).toBe(1);
  });

  it("should drop rows missing from a full refresh, and refresh right after a replay", async () => {
    const { fake: f, pipeline: p } = await withPipeline(34);
    await p.start();
    source = createSqlMapSource({ url: f.url, queries: { structures: STRUCTURES }, pipeline: p });
    source.start();
    await waitFor(() => source?.getStatus().refreshes === 1);
    const [doomed] = f.world.idsWith("blitz-Structure");
    if (doomed === undefined) throw new Error("no structure");
    expect(source.row("structures", doomed as never)).toBeDefined();
    f.world.deleteEntity(doomed);
    await p.forceReplay();
    await waitFor(() => source?.getStatus().refreshes === 2, { description: "the refresh after the replay" });
    expect(source.row("structures", doomed as never)).toBeUndefined();
  });
});
