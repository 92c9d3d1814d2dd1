import { afterEach, describe, expect, it, vi } from "vitest";
import { createSqlMapSource, type SqlMapSource } from "../../src/map/sql-source";

let source: SqlMapSource | undefined;
afterEach(() => {
  source?.stop();
  source = undefined;
  vi.useRealTimers();
});

describe("the SQL map source with a /sql that never answers", () => {
  it("should fail the hung request at its deadline, retry, report the error, and go on refreshing on its cadence", async () => {
    vi.useFakeTimers();
    let hang = true;
    let calls = 0;
    const fetch = ((_url: string, init?: { signal?: AbortSignal }) => {
      calls += 1;
      if (!hang) return Promise.resolve(new Response(JSON.stringify([{ id: "0x1", executed_at: 100, level: 2 }])));
      return new Promise((_resolve, reject) => init?.signal?.addEventListener("abort", () => reject(new Error("aborted"))));
    }) as unknown as typeof globalThis.fetch;
    source = createSqlMapSource({ url: "http://127.0.0.1:1", queries: { structures: { sql: "SELECT 1" } }, fetch, requestTimeoutMs: 1_000, refreshMs: 5_000, random: () => 0.5, retry: { attempts: 2, backoff: { baseMs: 500 } } });
    source.start();
    // Two attempts, each cut at 1 s, with 0.5 s between them.
    await vi.advanceTimersByTimeAsync(2_600);
    expect(calls).toBe(2);
    expect(source.getStatus().status).toBe("error");
    expect(source.getStatus().lastError?.message).toMatch(/within 1000 ms/);
    hang = false;
    await vi.advanceTimersByTimeAsync(5_100);
    expect(source.getStatus()).toMatchObject({ status: "ok", refreshes: 1 });
    expect(source.rows("structures").size).toBe(1);
    source.stop();
    expect(vi.getTimerCount()).toBe(0);
  });
});
