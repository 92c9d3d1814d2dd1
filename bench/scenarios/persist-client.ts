// What the persistence bench serves, in Node (bench/persist.ts) and in Chromium (bench/browser/persist-page.ts) alike:
// the in-process client with a `HashedKeys` clause and a fake `/sql`, and the snapshot with some entities changed.
import type { ToriiPageLike, ToriiQuery } from "../../src/sync/index";
import { BenchToriiClient } from "../pipelines/memory-client";
import { freshCopy, modelUpdate, type RawToriiEntity } from "../workload/entities";
import { BENCH_MODELS } from "../workload/models";

/** The `toriiUrl` the bench passes: never fetched, the injected `fetch` answers it. */
export const PERSIST_TORII_URL = "http://torii.bench.invalid";

const norm = (id: string): string => BigInt(id).toString(16);
const padded = (id: string): string => `0x${norm(id).padStart(64, "0")}`;

/**
 * The bench's in-process client, which also answers a `HashedKeys` clause (what an incremental replay reads) from the
 * same rows, and counts the entities it hands over; with `sql()` a fake `/sql` over those rows, answering the two
 * queries the incremental replay asks (the scope's newest write and row count; the writes in a time window).
 */
export class PersistBenchClient extends BenchToriiClient {
  entitiesServed = 0;
  sqlQueries = 0;
  private rows: readonly RawToriiEntity[];
  private byId = new Map<string, RawToriiEntity>();

  constructor(rows: readonly RawToriiEntity[]) {
    super(rows);
    this.rows = rows;
    for (const row of rows) this.byId.set(norm(row.hashed_keys), row);
  }

  override async getEntities(query?: ToriiQuery): Promise<ToriiPageLike> {
    const ids = (query?.clause as { HashedKeys?: unknown } | undefined)?.HashedKeys;
    if (Array.isArray(ids)) {
      this.pagesServed += 1;
      const items = ids.map((id) => this.byId.get(norm(String(id)))).filter((row) => row !== undefined);
      this.entitiesServed += items.length;
      return { items, next_cursor: undefined };
    }
    const page = await super.getEntities(query);
    this.entitiesServed += page.items.length;
    return page;
  }

  readonly sql = (async (_url: unknown, init?: { body?: unknown }) => {
    this.sqlQueries += 1;
    const text = String(init?.body ?? "");
    if (text.includes("AS newest")) {
      const newest = this.rows.reduce((max, row) => Math.max(max, row.executed_at), 0);
      const n = this.rows.reduce((sum, row) => sum + Object.keys(row.models).length, 0);
      return new Response(JSON.stringify([{ newest, n }]));
    }
    const [from, to] = [...text.matchAll(/'(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)'/g)].map((m) => Date.parse(`${(m[1] as string).replace(" ", "T")}Z`) / 1000);
    const found = this.rows.filter((row) => row.executed_at > (from ?? 0) && row.executed_at <= (to ?? 0));
    return new Response(JSON.stringify(found.flatMap((row) => Object.keys(row.models).map((model) => ({ id: padded(row.hashed_keys), model, at: row.executed_at })))));
  }) as unknown as typeof globalThis.fetch;
}

/** One round of changes: `fraction` of the entities (spread evenly) rewritten whole at block time `executedAt`. */
export interface ChangeStep {
  readonly fraction: number;
  readonly executedAt: number;
  /** Seeds the new values, so each step writes values no earlier step wrote. */
  readonly salt: number;
}

/** The changes of the persistence bench, in order: the fractions, each 100 s after the last, seeded apart. */
export function changeSteps(rows: readonly RawToriiEntity[], fractions: readonly number[]): ChangeStep[] {
  let newest = rows.reduce((max, row) => Math.max(max, row.executed_at), 0);
  return fractions.map((fraction, i) => {
    newest += 100;
    return { fraction, executedAt: newest, salt: 1_000_000 * (i + 1) * rows.length };
  });
}

/** The snapshot with one step's entities rewritten whole with new values; how many entities changed. */
export function changed(rows: readonly RawToriiEntity[], step: ChangeStep): { rows: RawToriiEntity[]; count: number } {
  const every = Math.round(1 / step.fraction);
  let count = 0;
  const next = rows.map((row, index) => {
    if (index % every !== 0) return row;
    count += 1;
    const models = Object.fromEntries(BENCH_MODELS.map((spec, model) => [spec.tag, modelUpdate(spec, spec.members.map((_, i) => i), (step.salt + index * BENCH_MODELS.length + model) * 8, {})]));
    return { ...row, hashed_keys: freshCopy(row.hashed_keys), models, updated_at: step.executedAt, executed_at: step.executedAt };
  });
  return { rows: next, count };
}
