// What the persistence bench serves, in Node (bench/persist.ts) and in Chromium (bench/browser/persist-page.ts) alike:
// the in-process client with a `HashedKeys` clause and a fake `/sql`, and the snapshot with some entities changed.
import type { ToriiPageLike, ToriiQuery } from "../../src/sync/index";
import { BenchToriiClient } from "../pipelines/memory-client";
import { freshCopy, modelUpdate, type RawToriiEntity } from "../workload/entities";
import { BENCH_MODELS } from "../workload/models";

/** The `toriiUrl` the bench passes: never fetched, the injected `fetch` answers it. */
export const PERSIST_TORII_URL = "http://torii.bench.invalid";

const norm = (id: string): string => BigInt(id).toString(16);

/**
 * The rows as the network holds them: each entity's row as JSON text, decoded into new objects only when it is served
 * (as the wasm client decodes each page off the wire). A game's page never holds Torii's data as a tree of objects (one
 * per value: 1.5 million at 100,000 entities), so the bench page must not either: V8 marks every object of the heap,
 * and the collector's pauses would measure the bench's own data instead of the game's.
 */
export class WireRows {
  readonly length: number;
  private readonly texts: string[];
  /** Per row: its entity id (minimal hex, normalised), its block time and its models, for the fake `/sql` and `HashedKeys`. */
  readonly ids: string[];
  readonly executedAt: Float64Array;
  readonly models: (readonly string[])[];

  constructor(rows: readonly RawToriiEntity[]) {
    this.length = rows.length;
    this.texts = rows.map((row) => JSON.stringify(row));
    this.ids = rows.map((row) => norm(row.hashed_keys));
    this.executedAt = Float64Array.from(rows, (row) => row.executed_at);
    const shapes = new Map<string, readonly string[]>();
    this.models = rows.map((row) => {
      const tags = Object.keys(row.models);
      const key = tags.join(",");
      const shared = shapes.get(key) ?? tags;
      shapes.set(key, shared);
      return shared;
    });
  }

  /** Row `index`, decoded into new objects. */
  row(index: number): RawToriiEntity {
    return JSON.parse(this.texts[index] as string) as RawToriiEntity;
  }
}

/**
 * The bench's in-process client over wire rows: the snapshot in the pages the pipeline asks for, and a `HashedKeys`
 * clause (what an incremental replay reads), counting the entities it hands over; with `sql()` a fake `/sql` over those
 * rows, answering the two queries the incremental replay asks (the scope's newest write and row count; the writes in a
 * time window). No subscription updates: the persistence bench boots and waits.
 */
export class PersistBenchClient extends BenchToriiClient {
  entitiesServed = 0;
  sqlQueries = 0;
  private readonly byId = new Map<string, number>();

  constructor(private readonly rows: WireRows) {
    super([]);
    rows.ids.forEach((id, index) => this.byId.set(id, index));
  }

  override async getEntities(query?: ToriiQuery): Promise<ToriiPageLike> {
    this.pagesServed += 1;
    const ids = (query?.clause as { HashedKeys?: unknown } | undefined)?.HashedKeys;
    let indexes: number[];
    let next: string | undefined;
    if (Array.isArray(ids)) {
      indexes = ids.map((id) => this.byId.get(norm(String(id)))).filter((index) => index !== undefined);
    } else {
      const from = Number(query?.pagination.cursor ?? 0);
      const to = Math.min(this.rows.length, from + Math.max(1, query?.pagination.limit ?? this.rows.length));
      indexes = Array.from({ length: to - from }, (_, i) => from + i);
      next = to >= this.rows.length ? undefined : String(to);
    }
    this.entitiesServed += indexes.length;
    return { items: indexes.map((index) => this.rows.row(index)), next_cursor: next };
  }

  readonly sql = (async (_url: unknown, init?: { body?: unknown }) => {
    this.sqlQueries += 1;
    const text = String(init?.body ?? "");
    const { rows } = this;
    if (text.includes("AS newest")) {
      const newest = rows.executedAt.reduce((max, at) => Math.max(max, at), 0);
      const n = rows.models.reduce((sum, tags) => sum + tags.length, 0);
      return new Response(JSON.stringify([{ newest, n }]));
    }
    // The window compares block times as whole seconds (Torii's RFC 3339 text through strftime('%s')).
    const [from, to] = (/> (\d+) AND .*? <= (\d+)/.exec(text) ?? []).slice(1).map(Number);
    const found: { id: string; model: string; at: number }[] = [];
    rows.executedAt.forEach((at, index) => {
      if (at > (from ?? 0) && at <= (to ?? 0)) for (const model of rows.models[index] as readonly string[]) found.push({ id: `0x${(rows.ids[index] as string).padStart(64, "0")}`, model, at });
    });
    return new Response(JSON.stringify(found));
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
