/**
 * A hash table keyed by a tile's (x, y), in typed arrays: open addressing with linear probing, deletion by backward
 * shift (no tombstones). A `Map` keyed by an "x,y" string costs a number-to-string conversion, a string to hash, and a
 * read of the stored key string to compare; at a million entities each of those reads is a cache miss and a lookup took
 * about 1 µs. Here the coordinates are compared where they are stored, side by side: one probe is typically one miss.
 *
 * Past `bucketSlots`, the table is split into buckets (extendible hashing: a directory indexed by some of the hash's
 * bits, a bucket that fills splits in two), so no insertion ever moves more than one bucket's entries: a single table
 * that doubled would rehash every tile at once (tens of milliseconds at a million tiles, in the middle of a build's
 * time slice).
 *
 * Keys are any numbers except NaN (NaN marks an empty slot); -0 and 0 are the same tile. Values may be `undefined`:
 * presence is the key's, so `has` and `get` differ (the map's undo logs record "there was no tile here").
 */
export class TileTable<T> {
  /** Indexed by the hash's bits from `DIRECTORY_SHIFT` up, `depth` of them; several entries may share a bucket. */
  private directory: Array<Bucket<T>>;
  private directoryMask: number;
  private depth: number;
  /** Each bucket once, for `forEach`. */
  private readonly buckets: Array<Bucket<T>>;
  private count = 0;

  /** `bucketSlots`: the most slots of one bucket (a power of two, 16 to 2^14); smaller only to test splits. */
  constructor(
    capacity = 16,
    private readonly bucketSlots = MAX_BUCKET_SLOTS,
  ) {
    const slots = 2 ** Math.max(4, Math.ceil(Math.log2(capacity * 2)));
    this.depth = Math.max(0, Math.log2(slots / bucketSlots));
    const size = Math.min(slots, bucketSlots);
    this.buckets = Array.from({ length: 2 ** this.depth }, () => createBucket<T>(size, this.depth));
    this.directory = [...this.buckets];
    this.directoryMask = 2 ** this.depth - 1;
  }

  get size(): number {
    return this.count;
  }

  has(x: number, y: number): boolean {
    return this.find(x, y) >= 0;
  }

  get(x: number, y: number): T | undefined {
    const kx = x + 0;
    const ky = y + 0;
    const hash = hashOf(kx, ky);
    const bucket = this.bucketOf(hash);
    const slot = slotIn(bucket, kx, ky, hash);
    return slot < 0 ? undefined : bucket.values[slot];
  }

  set(x: number, y: number, value: T | undefined): void {
    this.put(x, y, value, true);
  }

  /** `set`, unless (x, y) is already there: one probe where `has` then `set` would take two. */
  setIfAbsent(x: number, y: number, value: T | undefined): void {
    this.put(x, y, value, false);
  }

  delete(x: number, y: number): boolean {
    const kx = x + 0;
    const ky = y + 0;
    const hash = hashOf(kx, ky);
    const bucket = this.bucketOf(hash);
    let hole = slotIn(bucket, kx, ky, hash);
    if (hole < 0) return false;
    const { keys, values, mask } = bucket;
    // Backward shift: walk the run after the hole and pull back every key whose home is not between the hole and
    // itself, so that no probe sequence crosses an empty slot it should not.
    for (let next = (hole + 1) & mask; !Number.isNaN(keys[next * 2] as number); next = (next + 1) & mask) {
      const home = hashOf(keys[next * 2] as number, keys[next * 2 + 1] as number) & mask;
      const stays = hole <= next ? hole < home && home <= next : hole < home || home <= next;
      if (stays) continue;
      keys[hole * 2] = keys[next * 2] as number;
      keys[hole * 2 + 1] = keys[next * 2 + 1] as number;
      values[hole] = values[next];
      hole = next;
    }
    keys[hole * 2] = Number.NaN;
    values[hole] = undefined;
    bucket.count -= 1;
    this.count -= 1;
    return true;
  }

  /** Every entry, bucket by bucket in slot order. Do not change the table while iterating. */
  forEach(visit: (value: T | undefined, x: number, y: number) => void): void {
    for (const { keys, values } of this.buckets) {
      for (let slot = 0; slot < values.length; slot += 1) {
        const x = keys[slot * 2] as number;
        if (!Number.isNaN(x)) visit(values[slot], x, keys[slot * 2 + 1] as number);
      }
    }
  }

  /** Where (x, y) sits now (negative when absent), for `valueAt`. Valid until the next `set` or `delete`. */
  find(x: number, y: number): number {
    const kx = x + 0;
    const ky = y + 0;
    const hash = hashOf(kx, ky);
    const index = (hash >>> DIRECTORY_SHIFT) & this.directoryMask;
    const slot = slotIn(this.directory[index] as Bucket<T>, kx, ky, hash);
    return slot < 0 ? -1 : (index << SLOT_BITS) | slot;
  }

  valueAt(found: number): T | undefined {
    return (this.directory[found >>> SLOT_BITS] as Bucket<T>).values[found & (MAX_BUCKET_SLOTS - 1)];
  }

  private bucketOf(hash: number): Bucket<T> {
    return this.directory[(hash >>> DIRECTORY_SHIFT) & this.directoryMask] as Bucket<T>;
  }

  private put(x: number, y: number, value: T | undefined, replace: boolean): void {
    // `+ 0` turns -0 into 0 (the same tile), whose bits would hash elsewhere.
    const kx = x + 0;
    const ky = y + 0;
    if (Number.isNaN(kx) || Number.isNaN(ky)) throw new RangeError("a tile coordinate is NaN");
    const hash = hashOf(kx, ky);
    const bucket = this.bucketOf(hash);
    const slot = slotIn(bucket, kx, ky, hash);
    if (slot >= 0) {
      if (replace) bucket.values[slot] = value;
      return;
    }
    if ((bucket.count + 1) * 2 > bucket.values.length) {
      if (bucket.values.length < this.bucketSlots) this.grow(bucket);
      else this.split(bucket);
      this.put(kx, ky, value, replace);
      return;
    }
    insert(bucket, kx, ky, value, ~slot);
    this.count += 1;
  }

  /** A bucket below the most slots doubles, as the whole table used to. */
  private grow(bucket: Bucket<T>): void {
    const { keys, values } = bucket;
    const size = values.length * 2;
    bucket.keys = new Float64Array(size * 2).fill(Number.NaN);
    bucket.values = new Array<T | undefined>(size).fill(undefined);
    bucket.mask = size - 1;
    for (let slot = 0; slot < values.length; slot += 1) {
      const x = keys[slot * 2] as number;
      if (Number.isNaN(x)) continue;
      const y = keys[slot * 2 + 1] as number;
      insert(bucket, x, y, values[slot], ~slotIn(bucket, x, y, hashOf(x, y)));
    }
  }

  /** A full bucket splits in two by its next directory bit; the directory doubles first if the bucket used all its bits. */
  private split(bucket: Bucket<T>): void {
    if (bucket.depth === this.depth) {
      if (this.depth === MAX_DEPTH) throw new RangeError("the tile table is full");
      this.directory = [...this.directory, ...this.directory];
      this.depth += 1;
      this.directoryMask = 2 ** this.depth - 1;
    }
    const bit = bucket.depth;
    const low = createBucket<T>(this.bucketSlots, bit + 1);
    const high = createBucket<T>(this.bucketSlots, bit + 1);
    const { keys, values } = bucket;
    for (let slot = 0; slot < values.length; slot += 1) {
      const x = keys[slot * 2] as number;
      if (Number.isNaN(x)) continue;
      const y = keys[slot * 2 + 1] as number;
      const hash = hashOf(x, y);
      const to = ((hash >>> DIRECTORY_SHIFT) >>> bit) & 1 ? high : low;
      insert(to, x, y, values[slot], ~slotIn(to, x, y, hash));
    }
    for (let index = 0; index < this.directory.length; index += 1) if (this.directory[index] === bucket) this.directory[index] = (index >>> bit) & 1 ? high : low;
    this.buckets[this.buckets.indexOf(bucket)] = low;
    this.buckets.push(high);
  }
}

interface Bucket<T> {
  /** x and y of slot i at 2i and 2i + 1: one cache line holds both. */
  keys: Float64Array;
  values: Array<T | undefined>;
  mask: number;
  count: number;
  /** How many directory bits its keys share. */
  readonly depth: number;
}

/** A bucket's most slots: 256 KB of keys, a fraction of a millisecond to split. `find` gives a slot this many bits. */
const SLOT_BITS = 14;
const MAX_BUCKET_SLOTS = 2 ** SLOT_BITS;
/** The directory reads the hash from bit 16 up; a bucket's slot, below it: the two never share a bit. */
const DIRECTORY_SHIFT = 16;
/** 2^16 buckets: half a billion tiles, evenly hashed. `find`'s bucket and slot then still fit in 30 bits. */
const MAX_DEPTH = 16;

function createBucket<T>(size: number, depth: number): Bucket<T> {
  return { keys: new Float64Array(size * 2).fill(Number.NaN), values: new Array<T | undefined>(size).fill(undefined), mask: size - 1, count: 0, depth };
}

function insert<T>(bucket: Bucket<T>, x: number, y: number, value: T | undefined, free: number): void {
  bucket.keys[free * 2] = x;
  bucket.keys[free * 2 + 1] = y;
  bucket.values[free] = value;
  bucket.count += 1;
}

/** The slot holding (x, y), or the bitwise complement of the free slot where it would go. */
function slotIn<T>(bucket: Bucket<T>, x: number, y: number, hash: number): number {
  const { keys, mask } = bucket;
  for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
    const stored = keys[slot * 2] as number;
    if (stored === x && keys[slot * 2 + 1] === y) return slot;
    if (Number.isNaN(stored)) return ~slot;
  }
}

const bits = new Float64Array(1);
const words = new Int32Array(bits.buffer);

/** Hash of (x, y): both coordinates' IEEE bits (integers near 2^31 differ in both words), mixed murmur-style. */
function hashOf(x: number, y: number): number {
  bits[0] = x;
  let hash = Math.imul((words[0] as number) ^ Math.imul(words[1] as number, 0x9e3779b1), 0x85ebca6b);
  bits[0] = y;
  hash = Math.imul(hash ^ (words[0] as number), 0xc2b2ae35) ^ Math.imul(words[1] as number, 0x27d4eb2f);
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x7feb352d);
  hash ^= hash >>> 15;
  return hash;
}
