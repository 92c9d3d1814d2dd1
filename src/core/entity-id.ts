import { SyncError } from "./errors";
import { shardMap } from "./util/sharded-map";

/** A Torii entity id as RECS and `getEntityIdFromKeys` spell it: `0x` and 64 lowercase hex digits. */
export type EntityId = string & { readonly __entityId: unique symbol };

const HEX = /^0x[0-9a-fA-F]{1,64}$/;

/**
 * The wasm client sends minimal hex (`0x371c…`), the grpc client and `getEntityIdFromKeys` padded hex:
 * the same entity must get the same id whichever path it came through.
 */
export function normalizeEntityId(raw: unknown): EntityId {
  if (typeof raw !== "string" || !HEX.test(raw)) {
    throw new SyncError("SYNC_BAD_ID", `Entity id must be a 0x-prefixed hex string of at most 64 digits, got ${describe(raw)}.`);
  }
  return `0x${raw.slice(2).toLowerCase().padStart(64, "0")}` as EntityId;
}

export function isZeroEntityId(raw: unknown): boolean {
  return typeof raw === "string" && /^0x0*$/.test(raw);
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  return typeof value;
}

const ID_CACHE_LIMIT = 100_000;

/**
 * `normalizeEntityId` with a bounded memo: the same entities arrive again and again in a stream, and a Map hit costs a
 * fraction of the regex and padding. One per source: a memo sized by one world's entities stays small and warm (a
 * lookup in a table of hundreds of thousands misses the CPU cache), and the same id comes back as the same string, whose
 * hash is then already known to every Map keyed by it.
 */
export function createEntityIdNormalizer(limit = ID_CACHE_LIMIT): (raw: unknown) => EntityId {
  const cache = new Map<string, EntityId>();
  // Sharded by the id's last digits, like the ledger's ids: no rehash of the whole memo in one arrival.
  shardMap(cache);
  return (raw) => {
    if (typeof raw === "string") {
      const hit = cache.get(raw);
      if (hit !== undefined) return hit;
    }
    const id = normalizeEntityId(raw);
    if (cache.size >= limit) cache.clear();
    cache.set(raw as string, id);
    return id;
  };
}

/** A shared normalizer, for readers without a source of their own (SQL rows). */
export const normalizeEntityIdCached = createEntityIdNormalizer();
