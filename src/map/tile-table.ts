/**
 * A hash table keyed by a tile's (x, y), in typed arrays: open addressing with linear probing, deletion by backward
 * shift (no tombstones). A `Map` keyed by an "x,y" string costs a number-to-string conversion, a string to hash, and a
 * read of the stored key string to compare; at a million entities each of those reads is a cache miss and a lookup took
 * about 1 µs. Here the coordinates are compared where they are stored, side by side: one probe is typically one miss.
 *
 * Keys are any numbers except NaN (NaN marks an empty slot); -0 and 0 are the same tile. Values may be `undefined`:
 * presence is the key's, so `has` and `get` differ (the map's undo logs record "there was no tile here").
 */
export class TileTable<T> {
  /** x and y of slot i at 2i and 2i + 1: one cache line holds both. */
  private keys: Float64Array;
  private values: Array<T | undefined>;
  private mask: number;
  private count = 0;

  constructor(capacity = 16) {
    const size = 2 ** Math.max(4, Math.ceil(Math.log2(capacity * 2)));
    this.keys = new Float64Array(size * 2).fill(Number.NaN);
    this.values = new Array<T | undefined>(size).fill(undefined);
    this.mask = size - 1;
  }

  get size(): number {
    return this.count;
  }

  has(x: number, y: number): boolean {
    return this.slotOf(x + 0, y + 0) >= 0;
  }

  get(x: number, y: number): T | undefined {
    const slot = this.slotOf(x + 0, y + 0);
    return slot < 0 ? undefined : this.values[slot];
  }

  set(x: number, y: number, value: T | undefined): void {
    this.put(x, y, value, true);
  }

  /** `set`, unless (x, y) is already there: one probe where `has` then `set` would take two. */
  setIfAbsent(x: number, y: number, value: T | undefined): void {
    this.put(x, y, value, false);
  }

  private put(x: number, y: number, value: T | undefined, replace: boolean): void {
    // `+ 0` turns -0 into 0 (the same tile), whose bits would hash elsewhere.
    const kx = x + 0;
    const ky = y + 0;
    if (Number.isNaN(kx) || Number.isNaN(ky)) throw new RangeError("a tile coordinate is NaN");
    const slot = this.slotOf(kx, ky);
    if (slot >= 0) {
      if (replace) this.values[slot] = value;
      return;
    }
    if ((this.count + 1) * 2 > this.values.length) {
      this.grow();
      this.put(kx, ky, value, replace);
      return;
    }
    const free = ~slot;
    this.keys[free * 2] = kx;
    this.keys[free * 2 + 1] = ky;
    this.values[free] = value;
    this.count += 1;
  }

  delete(x: number, y: number): boolean {
    let hole = this.slotOf(x + 0, y + 0);
    if (hole < 0) return false;
    const { keys, values, mask } = this;
    // Backward shift: walk the run after the hole and pull back every key whose home is not between the hole and
    // itself, so that no probe sequence crosses an empty slot it should not.
    for (let next = (hole + 1) & mask; !Number.isNaN(keys[next * 2] as number); next = (next + 1) & mask) {
      const home = homeOf(keys[next * 2] as number, keys[next * 2 + 1] as number, mask);
      const stays = hole <= next ? hole < home && home <= next : hole < home || home <= next;
      if (stays) continue;
      keys[hole * 2] = keys[next * 2] as number;
      keys[hole * 2 + 1] = keys[next * 2 + 1] as number;
      values[hole] = values[next];
      hole = next;
    }
    keys[hole * 2] = Number.NaN;
    values[hole] = undefined;
    this.count -= 1;
    return true;
  }

  /** Every entry, in slot order. Do not change the table while iterating. */
  forEach(visit: (value: T | undefined, x: number, y: number) => void): void {
    const { keys, values } = this;
    for (let slot = 0; slot < values.length; slot += 1) {
      const x = keys[slot * 2] as number;
      if (!Number.isNaN(x)) visit(values[slot], x, keys[slot * 2 + 1] as number);
    }
  }

  /** Where (x, y) sits now (negative when absent), for `valueAt`. A slot is valid until the next `set` or `delete`. */
  find(x: number, y: number): number {
    return this.slotOf(x + 0, y + 0);
  }

  valueAt(slot: number): T | undefined {
    return this.values[slot];
  }

  /** The slot holding (x, y), or the bitwise complement of the free slot where it would go. */
  private slotOf(x: number, y: number): number {
    const { keys, mask } = this;
    for (let slot = homeOf(x, y, mask); ; slot = (slot + 1) & mask) {
      const stored = keys[slot * 2] as number;
      if (stored === x && keys[slot * 2 + 1] === y) return slot;
      if (Number.isNaN(stored)) return ~slot;
    }
  }

  private grow(): void {
    const { keys, values } = this;
    const size = values.length * 2;
    this.keys = new Float64Array(size * 2).fill(Number.NaN);
    this.values = new Array<T | undefined>(size).fill(undefined);
    this.mask = size - 1;
    this.count = 0;
    for (let slot = 0; slot < values.length; slot += 1) {
      const x = keys[slot * 2] as number;
      if (!Number.isNaN(x)) this.put(x, keys[slot * 2 + 1] as number, values[slot], true);
    }
  }
}

const bits = new Float64Array(1);
const words = new Int32Array(bits.buffer);

/** Home slot of (x, y): both coordinates' IEEE bits (integers near 2^31 differ in both words), mixed murmur-style. */
function homeOf(x: number, y: number, mask: number): number {
  bits[0] = x;
  let hash = Math.imul((words[0] as number) ^ Math.imul(words[1] as number, 0x9e3779b1), 0x85ebca6b);
  bits[0] = y;
  hash = Math.imul(hash ^ (words[0] as number), 0xc2b2ae35) ^ Math.imul(words[1] as number, 0x27d4eb2f);
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x7feb352d);
  hash ^= hash >>> 15;
  return hash & mask;
}
