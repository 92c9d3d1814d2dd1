// The incremental boot replay from the cache's watermark: with SQL (toriiUrl) the warm start reads only the entities
// changed since the watermark (minus an overlap), and confirms by count that nothing was removed; else a full replay.
import "fake-indexeddb/auto";
import { getComponentValue, type Entity } from "@dojoengine/recs";
import { IDBFactory } from "fake-indexeddb";
import { afterEach, describe, expect, it } from "vitest";
import type { SyncPipeline } from "../../src/core/pipeline";
import { createSyncPipeline } from "../../src/sync/create-sync-pipeline";
import type { ToriiQuery } from "../../src/torii/client-types";
import { MemoryToriiClient } from "../support/memory-client";
import { paddedId, rawEntity, ty, type RawEntity } from "../support/ty";
import { createTestWorld, type TestComponents } from "../support/world";
import { createFakeTime, turns } from "./persist-fakes";

const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(0xa11cen), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10) });
const xOf = (components: TestComponents, n: number): number | undefined => getComponentValue(components.Army, paddedId(n) as Entity)?.x;
/** Army i written at block time 10 + i: a world whose writes spread over time, as a real one's do. */
const world = (count: number): RawEntity[] => Array.from({ length: count }, (_, i) => rawEntity(i + 1, 11 + i, { "test-Army": army(i + 1) }));

const time = createFakeTime();
const started: SyncPipeline[] = [];

/** A memory Torii with an SQL endpoint over its rows (the scope's watermark and its recent writes), and every query kept. */
function server(rows: RawEntity[]): { client: MemoryToriiClient; queries: ToriiQuery[]; fetch: typeof globalThis.fetch } {
  const client = new MemoryToriiClient();
  client.rows = rows;
  const queries: ToriiQuery[] = [];
  const getEntities = client.getEntities.bind(client);
  client.getEntities = (query) => {
    queries.push(query);
    return getEntities(query);
  };
  const live = () => client.rows as RawEntity[];
  const fetch = (async (_url: string, init: { body: string }) => {
    const sql = init.body;
    if (sql.includes("AS newest")) {
      const newest = Math.max(0, ...live().map((row) => row.executed_at));
      return new Response(JSON.stringify([{ newest, n: live().length }]));
    }
    // The window compares block times as whole seconds (Torii's RFC 3339 text through strftime('%s')).
    const [from, to] = (/> (\d+) AND .*? <= (\d+)/.exec(sql) ?? []).slice(1).map(Number);
    const found = live().filter((row) => row.executed_at > (from as number) && row.executed_at <= (to as number));
    return new Response(JSON.stringify(found.map((row) => ({ id: paddedId(Number(row.hashed_keys)), model: "test-Army", at: row.executed_at }))));
  }) as unknown as typeof globalThis.fetch;
  return { client, queries, fetch };
}

function run(torii: ReturnType<typeof server>, factory: IDBFactory): { pipeline: SyncPipeline; components: TestComponents } {
  const { world: recs, components } = createTestWorld();
  const pipeline = createSyncPipeline({
    client: torii.client,
    world: recs,
    components,
    worldAddresses: ["0x1"],
    toriiUrl: "http://127.0.0.1:1",
    fetch: torii.fetch,
    persist: { name: "incremental", indexedDB: factory },
    timers: time.tab(),
    logging: false,
    inspector: false,
  });
  started.push(pipeline);
  void pipeline.start();
  return { pipeline, components };
}

async function until(condition: () => boolean, rounds = 3_000): Promise<void> {
  for (let i = 0; i < rounds; i += 1) {
    if (condition()) return;
    time.advance(10);
    await turns(2);
  }
  throw new Error("the condition was not met");
}

/** Boot once on `rows` and wait until the cache's watermark is the replay's; then cancel. */
async function warm(factory: IDBFactory, rows: RawEntity[]): Promise<void> {
  const first = run(server(rows), factory);
  await until(() => first.pipeline.getState().status === "streaming");
  const seen = first.pipeline.metrics().lastExecutedAt;
  await until(() => first.pipeline.metrics().cache?.watermark === seen);
  first.pipeline.cancel();
}

const isFullPage = (query: ToriiQuery): boolean => (query.clause as { HashedKeys?: unknown } | undefined)?.HashedKeys === undefined;
const idsAsked = (queries: readonly ToriiQuery[]): string[] => queries.flatMap((query) => ((query.clause as { HashedKeys?: string[] } | undefined)?.HashedKeys ?? []).map((id) => paddedId(Number(id))));

afterEach(() => {
  for (const pipeline of started.splice(0)) pipeline.cancel();
});

describe("persist: incremental replay from the watermark", () => {
  it("should read only the entities changed since the watermark (with its overlap), page nothing else, and equal the server", async () => {
    const factory = new IDBFactory();
    const rows = world(400);
    await warm(factory, rows);
    // 1 % changed while no tab was open (the watermark is 410: armies 399 and 400 fall in its 2-second overlap).
    const changed = [7, 123, 250, 333];
    const now = rows.map((row, i) => (changed.includes(i + 1) ? rawEntity(i + 1, 500, { "test-Army": army(1000 + i + 1) }) : row));
    const torii = server(now);
    const second = run(torii, factory);
    await until(() => second.pipeline.getState().status === "streaming");
    expect(torii.queries.filter(isFullPage)).toHaveLength(0);
    expect(idsAsked(torii.queries).sort()).toEqual([7, 123, 250, 333, 399, 400].map(paddedId).sort());
    expect(second.pipeline.metrics().cache).toMatchObject({ hits: 1, incrementalReplays: 1, incrementalEntities: 6, incrementalFallbacks: 0 });
    for (const n of changed) expect(xOf(second.components, n)).toBe(1000 + n);
    expect(xOf(second.components, 8)).toBe(8);
    expect(second.components.Army.values.x.size).toBe(400);
  });

  it("should fall back to a full replay when the count shows a removal, and remove it", async () => {
    const factory = new IDBFactory();
    const rows = world(50);
    await warm(factory, rows);
    const now = rows.filter((_, i) => i + 1 !== 20);
    const torii = server(now);
    const second = run(torii, factory);
    await until(() => second.pipeline.getState().status === "streaming");
    expect(torii.queries.filter(isFullPage).length).toBeGreaterThan(0);
    expect(second.pipeline.metrics().cache).toMatchObject({ incrementalReplays: 0, incrementalFallbacks: 1 });
    expect(xOf(second.components, 20)).toBeUndefined();
    expect(second.components.Army.values.x.size).toBe(49);
  });

  it("should fall back to a full replay when the SQL endpoint fails, and still converge", async () => {
    const factory = new IDBFactory();
    const rows = world(30);
    await warm(factory, rows);
    const torii = server([...rows.slice(0, 29), rawEntity(30, 900, { "test-Army": army(3000) })]);
    const fetch = torii.fetch;
    let failing = true;
    torii.fetch = (async (url: string, init: { body: string }) => (failing ? new Response("down", { status: 503 }) : fetch(url, init as RequestInit))) as unknown as typeof globalThis.fetch;
    const second = run(torii, factory);
    await until(() => (second.pipeline.metrics().cache?.incrementalFallbacks ?? 0) > 0);
    failing = false;
    await until(() => second.pipeline.getState().status === "streaming");
    expect(torii.queries.filter(isFullPage).length).toBeGreaterThan(0);
    expect(xOf(second.components, 30)).toBe(3000);
  });
});
