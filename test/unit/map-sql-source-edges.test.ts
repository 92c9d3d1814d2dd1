import { afterEach, describe, expect, it, vi } from "vitest";
import type { EntityId } from "../../src/core/entity-id";
import type { SyncState } from "../../src/core/state";
import type { SyncPipeline } from "../../src/sync/create-sync-pipeline";
import { createSqlMapSource, type SqlMapSource } from "../../src/map/sql-source";

const id = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as EntityId;

let source: SqlMapSource | undefined;
afterEach(() => {
  source?.stop();
  source = undefined;
  vi.useRealTimers();
});

/** Just what the SQL source reads of a pipeline: ready, state changes, applied ids and the ledger's version. */
function stubPipeline(ready: Promise<void>) {
  const stateListeners = new Set<(state: SyncState, previous: SyncState) => void>();
  const appliedListeners = new Set<(ids: readonly EntityId[]) => void>();
  const versions = new Map<EntityId, number>();
  const pipeline = {
    ready,
    subscribe(listener: (state: SyncState, previous: SyncState) => void) {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    },
    subscribeApplied(listener: (ids: readonly EntityId[]) => void) {
      appliedListeners.add(listener);
      return () => appliedListeners.delete(listener);
    },
    entityVersion: (entity: EntityId) => versions.get(entity),
  } as unknown as SyncPipeline;
  return {
    pipeline,
    versions,
    transition(status: string, previous: string) {
      for (const listener of stateListeners) listener({ status } as unknown as SyncState, { status: previous } as unknown as SyncState);
    },
    applied(ids: EntityId[]) {
      for (const listener of appliedListeners) listener(ids);
    },
  };
}

// Found by review: a source that never began after a failed boot, a lagging row never retried, a second cadence after a
// remount, a request left running after stop, and wrapped SQL that broke on a trailing ";" or comment.
describe("the SQL map source at its edges", () => {
  it("should start refreshing once the pipeline reaches streaming after a failed boot (ready rejected, then forceReplay)", async () => {
    vi.useFakeTimers();
    let calls = 0;
    const fetch = (() => {
      calls += 1;
      return Promise.resolve(new Response(JSON.stringify([{ id: id(1), executed_at: 100, level: 2 }])));
    }) as unknown as typeof globalThis.fetch;
    // The pipeline's boot failed (replay budget spent): ready rejects, the state is "error".
    const rejected = Promise.reject(new Error("budget spent"));
    rejected.catch(() => undefined);
    const stub = stubPipeline(rejected);
    source = createSqlMapSource({ url: "http://127.0.0.1:1", queries: { structures: { sql: "SELECT 1" } }, fetch, refreshMs: 5_000 });
    source.start(stub.pipeline);
    await vi.advanceTimersByTimeAsync(10);
    // The app calls forceReplay(); the pipeline recovers and streams.
    stub.transition("streaming", "error");
    await vi.advanceTimersByTimeAsync(12_000);
    // Expected: the rows are fetched after the recovery, and then on the cadence.
    expect(calls).toBeGreaterThanOrEqual(1);
    expect(source.getStatus().status).toBe("ok");
    expect(source.rows("structures").size).toBe(1);
  });

  it("should retry a targeted refresh whose SQL answer still lags the ledger within a few batch delays, not wait for the full cadence", async () => {
    vi.useFakeTimers();
    let sqlVersion = 100;
    let calls = 0;
    const fetch = (() => {
      calls += 1;
      return Promise.resolve(new Response(JSON.stringify([{ id: id(1), executed_at: sqlVersion, level: sqlVersion }])));
    }) as unknown as typeof globalThis.fetch;
    const stub = stubPipeline(Promise.resolve());
    source = createSqlMapSource({ url: "http://127.0.0.1:1", queries: { structures: { sql: "SELECT 1" } }, fetch, refreshMs: 60_000, staleBatchMs: 250 });
    source.start(stub.pipeline);
    await vi.advanceTimersByTimeAsync(10);
    expect(source.getStatus().status).toBe("ok");
    const full = calls;

    // The stream applies a newer version of entity 1: its row is stale, a targeted refresh follows after 250 ms.
    stub.versions.set(id(1), 200);
    stub.applied([id(1)]);
    expect(source.getStatus().status).toBe("stale");
    await vi.advanceTimersByTimeAsync(300);
    // SQL still lags (answers version 100): the row is marked stale again, "the next batch tries again".
    expect(calls).toBe(full + 1);
    expect(source.getStatus().status).toBe("stale");

    // SQL catches up right after.
    sqlVersion = 200;
    await vi.advanceTimersByTimeAsync(2_000);
    // Expected: another targeted batch within a few batch delays fetched the fresh row. Actually: no batch is scheduled,
    // the row and the status stay stale until the next full refresh (60 s here, 20 s by default).
    expect(calls).toBeGreaterThan(full + 1);
    expect(source.row("structures", id(1))).toMatchObject({ version: 200, stale: false });
    expect(source.getStatus().status).toBe("ok");
  });

  it("should back off a targeted refresh whose row never catches up, not ask four times a second for ever", async () => {
    vi.useFakeTimers();
    let calls = 0;
    // The row's version stays 100 (a query without executed_at reads 0 the same way) while the ledger is at 200.
    const fetch = (() => {
      calls += 1;
      return Promise.resolve(new Response(JSON.stringify([{ id: id(1), executed_at: 100, level: 1 }])));
    }) as unknown as typeof globalThis.fetch;
    const stub = stubPipeline(Promise.resolve());
    source = createSqlMapSource({ url: "http://127.0.0.1:1", queries: { structures: { sql: "SELECT 1" } }, fetch, refreshMs: 60_000, staleBatchMs: 250 });
    source.start(stub.pipeline);
    await vi.advanceTimersByTimeAsync(10);
    const full = calls;
    stub.versions.set(id(1), 200);
    stub.applied([id(1)]);
    await vi.advanceTimersByTimeAsync(20_000);
    // 250 ms, then 500, 1,000, 2,000, 4,000, 8,000 …: six or seven asks in 20 s, not eighty.
    expect(calls - full).toBeGreaterThanOrEqual(5);
    expect(calls - full).toBeLessThanOrEqual(8);
    expect(source.getStatus().status).toBe("stale");
  });

  it("should keep one refresh cadence when stopped and started again while a cadence refresh is in flight", async () => {
    vi.useFakeTimers();
    const hanging: Array<(response: Response) => void> = [];
    let hang = false;
    let calls = 0;
    const fetch = (() => {
      calls += 1;
      const answer = () => new Response(JSON.stringify([{ id: id(1), executed_at: 100, level: 2 }]));
      if (hang) return new Promise<Response>((resolve) => hanging.push(() => resolve(answer())));
      return Promise.resolve(answer());
    }) as unknown as typeof globalThis.fetch;
    source = createSqlMapSource({ url: "http://127.0.0.1:1", queries: { structures: { sql: "SELECT 1" } }, fetch, refreshMs: 5_000, requestTimeoutMs: 60_000 });
    source.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(calls).toBe(1);

    // The cadence refresh starts and its request is slow.
    hang = true;
    await vi.advanceTimersByTimeAsync(5_000);
    expect(calls).toBe(2);
    // The provider remounts meanwhile (or StrictMode, or a key change): stop, start.
    hang = false;
    source.stop();
    source.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(calls).toBe(3);
    // The slow request answers.
    for (const resolve of hanging) resolve(new Response("[]"));
    await vi.advanceTimersByTimeAsync(10);

    // Expected: one refresh per 5 s cadence from here on.
    const before = calls;
    await vi.advanceTimersByTimeAsync(20_000);
    expect(calls - before).toBe(4);
    // And stop() leaves no timer behind.
    source.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("should abort the request in flight and leave no timer when stopped (unmount) during a refresh", async () => {
    vi.useFakeTimers();
    const signals: AbortSignal[] = [];
    const fetch = ((_url: string, init?: { signal?: AbortSignal }) => {
      if (init?.signal !== undefined) signals.push(init.signal);
      return new Promise(() => undefined);
    }) as unknown as typeof globalThis.fetch;
    source = createSqlMapSource({ url: "http://127.0.0.1:1", queries: { structures: { sql: "SELECT 1" } }, fetch, refreshMs: 5_000 });
    source.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(signals).toHaveLength(1);
    // The provider unmounts while /sql is slow.
    source.stop();
    // Expected: nothing of the source is left running. Actually: the request goes on and its 10 s deadline timer stays.
    expect(signals[0]?.aborted).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  for (const [what, sql] of [
    ["a trailing semicolon", 'SELECT id, level, executed_at FROM structures;'],
    ["a trailing line comment", "SELECT id, level, executed_at FROM structures -- every structure"],
    ["a semicolon and then a comment", "SELECT id, level, executed_at FROM structures; -- every structure"],
    ["a block comment after the semicolon", "SELECT id, level, executed_at FROM structures;\n/* every structure */\n"],
    ["'--' and ';' inside quoted text", "SELECT id, level, executed_at FROM structures WHERE id <> 'a--b;' -- not a comment above"],
  ] as const) {
    it(`should refresh a stale row with a query that ends with ${what} (valid SQL for the full refresh)`, async () => {
      vi.useFakeTimers();
      const Database = (await import("better-sqlite3")).default;
      const db = new Database(":memory:");
      db.exec("CREATE TABLE structures (id TEXT, level INTEGER, executed_at INTEGER)");
      db.prepare("INSERT INTO structures VALUES (?, 1, 100)").run(id(1));
      // A /sql endpoint backed by SQLite, as Torii's is.
      const fetch = ((_url: string, init?: { body?: string }) => {
        try {
          return Promise.resolve(new Response(JSON.stringify(db.prepare(String(init?.body)).all())));
        } catch (error) {
          return Promise.resolve(new Response(String(error), { status: 400 }));
        }
      }) as unknown as typeof globalThis.fetch;
      const stub = stubPipeline(Promise.resolve());
      source = createSqlMapSource({ url: "http://127.0.0.1:1", queries: { structures: { sql } }, fetch, refreshMs: 60_000, retry: { attempts: 1 } });
      source.start(stub.pipeline);
      await vi.advanceTimersByTimeAsync(10);
      expect(source.getStatus().status).toBe("ok");
      expect(source.row("structures", id(1))?.values.level).toBe(1);

      // The chain moves on; the stream brings it first, SQL has it too by the time the targeted refresh asks.
      db.prepare("UPDATE structures SET level = 2, executed_at = 200 WHERE id = ?").run(id(1));
      stub.versions.set(id(1), 200);
      stub.applied([id(1)]);
      await vi.advanceTimersByTimeAsync(1_000);
      // Expected: the targeted refresh got the new row. Actually: its wrapped SQL is a syntax error, status "error".
      expect(source.getStatus().lastError?.message).toBeUndefined();
      expect(source.row("structures", id(1))?.values.level).toBe(2);
      db.close();
    });
  }
});
