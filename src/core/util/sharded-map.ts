/**
 * Maps of entities that never block on their own growth. Used for RECS's component values, the ledger's ids and the id
 * memo: every Map keyed by entity that grows with the world.
 *
 * RECS keeps a component's values in one JS `Map` per member (`component.values[member]`), keyed by entity symbol. A V8
 * `Map` rehashes every entry inside the one `set` that crosses its capacity (each power of two), and all members of a
 * component cross in the same write: a world growing past 65,536 entities blocks one `setComponent` for ~160 ms (past
 * 131,072 for twice that), whatever slices the pipeline cuts above it. So the pipeline turns each bound component's
 * Maps into sharded ones when it binds them, in place — the same objects, so every reference a game, an indexer or an
 * overridable component holds keeps working — each spread over up to `SHARDS` plain Maps chosen by the entity id's last
 * two hex digits: a rehash moves a 256th of the entries. Shards are made on first use, so a small component holds a
 * few small Maps.
 *
 * What changes for readers: iteration (`keys()`, `entities()`) goes shard by shard, not in insertion order; a get costs
 * one more string read (the symbol's description), lost in what `getComponentValue` costs anyway.
 */
export const SHARDS = 256;

/** The shard no entry was written to yet: shared, never written (a write first puts a Map of its own in its place). */
const UNUSED = new Map<never, never>();

/** Hex digit → 0–15 ('0'–'9' → 0–9, 'a'–'f' and 'A'–'F' → 10–15), from the char code alone. */
const nibble = (code: number): number => (code & 15) + (code >> 6) * 9;

/**
 * The shard of a key: the last two hex digits of an entity id, as an entity symbol or as the id itself (ids are hashes,
 * so evenly spread); anything else → 0.
 */
function shardOf(key: unknown): number {
  const text = typeof key === "string" ? key : typeof key === "symbol" ? key.description : undefined;
  if (text === undefined || text.length < 2) return 0;
  return ((nibble(text.charCodeAt(text.length - 1)) << 4) | nibble(text.charCodeAt(text.length - 2))) & (SHARDS - 1);
}

/** A `Map` whose entries live in shards; installed on an existing Map's object by `shardMap`. */
class ShardedMap<K, V> extends Map<K, V> {
  declare shards: Map<K, V>[];
  declare count: number;

  override get(key: K): V | undefined {
    return (this.shards[shardOf(key)] as Map<K, V>).get(key);
  }

  override has(key: K): boolean {
    return (this.shards[shardOf(key)] as Map<K, V>).has(key);
  }

  override set(key: K, value: V): this {
    const index = shardOf(key);
    let shard = this.shards[index] as Map<K, V>;
    if (shard === UNUSED) shard = this.shards[index] = new Map<K, V>();
    const before = shard.size;
    shard.set(key, value);
    this.count += shard.size - before;
    return this;
  }

  override delete(key: K): boolean {
    const deleted = (this.shards[shardOf(key)] as Map<K, V>).delete(key);
    if (deleted) this.count -= 1;
    return deleted;
  }

  override clear(): void {
    this.shards.fill(UNUSED);
    this.count = 0;
  }

  override get size(): number {
    return this.count;
  }

  // Iteration copies into one array and hands out its native iterator: a generator across the shards measured several
  // times slower, and `[...ledger ids]` of 100,000 entities is one block either way.
  override keys(): MapIterator<K> {
    const out: K[] = [];
    for (const shard of this.shards) for (const key of shard.keys()) out.push(key);
    return out.values();
  }

  override values(): MapIterator<V> {
    const out: V[] = [];
    for (const shard of this.shards) for (const value of shard.values()) out.push(value);
    return out.values();
  }

  override entries(): MapIterator<[K, V]> {
    const out: [K, V][] = [];
    for (const shard of this.shards) for (const entry of shard.entries()) out.push(entry);
    return out.values();
  }

  override [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }

  override forEach(visit: (value: V, key: K, map: Map<K, V>) => void, thisArg?: unknown): void {
    for (const shard of this.shards) for (const [key, value] of shard) visit.call(thisArg, value, key, this);
  }
}

// Methods a newer runtime adds to Map (the upsert proposal) would reach the empty storage underneath: route them too.
for (const name of ["getOrInsert", "getOrInsertComputed"] as const) {
  Object.defineProperty(ShardedMap.prototype, name, {
    configurable: true,
    writable: true,
    value(this: ShardedMap<unknown, unknown>, key: unknown, valueOrMake: unknown) {
      if (this.has(key)) return this.get(key);
      const value = name === "getOrInsert" ? valueOrMake : (valueOrMake as (key: unknown) => unknown)(key);
      this.set(key, value);
      return value;
    },
  });
}

export function isSharded(map: Map<unknown, unknown>): boolean {
  return map instanceof ShardedMap;
}

/**
 * Spread a plain Map's entries over shards, keeping the object (and so every reference to it). A sharded Map stays as
 * it is; anything but a plain `Map` (a subclass, an observable map) is left alone: its prototype is not ours to swap.
 */
export function shardMap<K, V>(map: Map<K, V>): void {
  if (Object.getPrototypeOf(map) !== Map.prototype) return;
  const entries = [...map];
  map.clear();
  Object.setPrototypeOf(map, ShardedMap.prototype);
  const sharded = map as ShardedMap<K, V>;
  sharded.shards = new Array<Map<K, V>>(SHARDS).fill(UNUSED);
  sharded.count = 0;
  for (const [key, value] of entries) sharded.set(key, value);
}
