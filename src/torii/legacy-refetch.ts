import type { Timers } from "../core/clock";
import { isZeroEntityId } from "../core/entity-id";

/** What a legacy `(hashedKeys, models)` callback said: which entity, and which models it touched. */
export interface LegacyNotice {
  readonly id: string;
  readonly models: readonly string[];
}

/**
 * Older clients call back `(hashedKeys, models)` with no timestamp at all, so the update has no version to compare.
 * Read it as a notice that the entity changed; the entity is then read again (batched, by `HashedKeys`) and its row,
 * which carries Torii's real `executed_at`, goes down the stream path. `undefined` for any other callback shape, and for
 * a legacy call that does carry `executed_at` (it is used as it is).
 */
export function legacyNotice(args: readonly unknown[]): LegacyNotice | undefined {
  const [first, second] = args;
  if (typeof first !== "string" || second === null || typeof second !== "object") return undefined;
  const body = second as Record<string, unknown>;
  if (Object.hasOwn(body, "executed_at")) return undefined;
  const models = Object.hasOwn(body, "models") ? body.models : body;
  return { id: first, models: models !== null && typeof models === "object" ? Object.keys(models) : [] };
}

export interface LegacyRefetcherOptions {
  /** Read these entities again: their rows as Torii pages them. */
  fetchByIds(ids: readonly string[]): Promise<readonly unknown[]>;
  /** Where the rows (and the deletes they imply) go: the stream's sink. */
  deliver(entity: unknown): void;
  /** Newest `executed_at` the client has received: the version of a removal seen only as a missing row. */
  newestSeen(): number;
  readonly timers: Timers;
  /** Notices gathered before one read. @default 16 ms */
  readonly batchMs?: number;
}

const BATCH_IDS = 500;
const ZERO = { hashed_keys: "0x0", models: {}, executed_at: 0, updated_at: 0, created_at: 0 };

export interface LegacyRefetcher {
  note(notice: LegacyNotice): void;
  cancel(): void;
}

/**
 * Batches legacy notices and re-reads the entities. A row missing from the answer was removed (delivered as a
 * whole-entity delete at the newest time seen, which is no older than anything the client holds); a model the notice
 * named and the row lacks was removed at the row's time. A failed read is delivered as a gap signal, so the guard
 * replays instead of missing the change.
 */
export function createLegacyRefetcher(options: LegacyRefetcherOptions): LegacyRefetcher {
  const pending = new Map<string, Set<string>>();
  let timer: unknown;
  let cancelled = false;

  const flush = async (): Promise<void> => {
    timer = undefined;
    const batch = [...pending].slice(0, BATCH_IDS);
    for (const [id] of batch) pending.delete(id);
    if (pending.size > 0) schedule();
    let rows: readonly unknown[];
    try {
      rows = await options.fetchByIds(batch.map(([id]) => id));
    } catch {
      if (!cancelled) options.deliver(ZERO);
      return;
    }
    if (cancelled) return;
    const byId = new Map<string, { executed_at?: unknown; models?: unknown }>();
    for (const row of rows) {
      const id = (row as { hashed_keys?: unknown } | null)?.hashed_keys;
      if (typeof id === "string") byId.set(normalizeHex(id), row as { executed_at?: unknown; models?: unknown });
    }
    for (const [id, models] of batch) {
      const row = byId.get(normalizeHex(id));
      if (row === undefined) {
        options.deliver({ hashed_keys: id, models: {}, executed_at: options.newestSeen(), updated_at: options.newestSeen(), created_at: 0 });
        continue;
      }
      options.deliver(row);
      const present = row.models !== null && typeof row.models === "object" ? row.models : {};
      const gone = [...models].filter((model) => !Object.hasOwn(present, model));
      if (gone.length > 0) options.deliver({ hashed_keys: id, models: Object.fromEntries(gone.map((model) => [model, {}])), executed_at: row.executed_at, updated_at: row.executed_at, created_at: 0 });
    }
  };

  const schedule = (): void => {
    if (timer !== undefined || cancelled) return;
    timer = options.timers.setTimeout(() => void flush(), options.batchMs ?? 16);
  };

  return {
    note(notice) {
      if (cancelled) return;
      if (isZeroEntityId(notice.id) && notice.models.length === 0) {
        // The reconnect signal in the legacy shape: a gap, passed on at once.
        options.deliver(ZERO);
        return;
      }
      let models = pending.get(notice.id);
      if (models === undefined) pending.set(notice.id, (models = new Set()));
      for (const model of notice.models) models.add(model);
      schedule();
    },
    cancel() {
      cancelled = true;
      if (timer !== undefined) options.timers.clearTimeout(timer);
      timer = undefined;
      pending.clear();
    },
  };
}

function normalizeHex(id: string): string {
  return /^0x[0-9a-fA-F]+$/.test(id) ? `0x${id.slice(2).toLowerCase().replace(/^0+(?=.)/, "")}` : id;
}
