/**
 * A persistent map from unsigned 32-bit integers to values: a radix trie with 32-way nodes (7 levels at most).
 * An edit copies only the path to its leaf (≤ 7 small arrays), so every version is immutable and shares everything
 * else with the one before. Inside a batch, nodes already copied by that batch are edited in place (the `owner`
 * token), which is what makes a burst of changes cost about one path copy each.
 */
const BITS = 5;
const WIDTH = 1 << BITS;
const MASK = WIDTH - 1;
const LEVELS = 7; // 7 × 5 bits ≥ 32 bits

interface TrieNode<V> {
  readonly owner: object | undefined;
  readonly slots: Array<TrieNode<V> | V | undefined>;
  count: number;
}

export interface PersistentTrie<V> {
  readonly root: TrieNode<V> | undefined;
  readonly size: number;
}

export const EMPTY_TRIE: PersistentTrie<never> = { root: undefined, size: 0 };

export function emptyTrie<V>(): PersistentTrie<V> {
  return EMPTY_TRIE as PersistentTrie<V>;
}

export function trieGet<V>(trie: PersistentTrie<V>, key: number): V | undefined {
  let node: TrieNode<V> | undefined = trie.root;
  for (let level = LEVELS - 1; level > 0 && node !== undefined; level -= 1) {
    node = node.slots[(key >>> (level * BITS)) & MASK] as TrieNode<V> | undefined;
  }
  return node === undefined ? undefined : (node.slots[key & MASK] as V | undefined);
}

/**
 * Set (or, with `undefined`, delete) a key. Pass the same `owner` for every edit of one batch; pass a fresh object per
 * batch so that versions handed out earlier are never touched.
 */
export function trieSet<V>(trie: PersistentTrie<V>, key: number, value: V | undefined, owner: object): PersistentTrie<V> {
  const path: Array<TrieNode<V>> = [];
  let node = trie.root;
  // Deleting what is not there changes nothing (and must not build an empty path to it).
  if (value === undefined && trieGet(trie, key) === undefined) return trie;
  // Walk down, copying (or reusing, when this batch owns it) every node on the path.
  let parent: TrieNode<V> | undefined;
  for (let level = LEVELS - 1; level >= 0; level -= 1) {
    const editable: TrieNode<V> = node === undefined ? { owner, slots: new Array(WIDTH), count: 0 } : node.owner === owner ? node : { owner, slots: node.slots.slice(), count: node.count };
    if (parent !== undefined) {
      const slot = (key >>> ((level + 1) * BITS)) & MASK;
      if (parent.slots[slot] === undefined) parent.count += 1;
      parent.slots[slot] = editable;
    }
    path.push(editable);
    parent = editable;
    if (level > 0) node = editable.slots[(key >>> (level * BITS)) & MASK] as TrieNode<V> | undefined;
  }
  const leaf = path[path.length - 1] as TrieNode<V>;
  const slot = key & MASK;
  const had = leaf.slots[slot] !== undefined;
  if (value === undefined) {
    if (!had) return trie.root === undefined ? trie : { root: path[0], size: trie.size };
    leaf.slots[slot] = undefined;
    leaf.count -= 1;
    // Prune nodes the delete emptied, bottom-up.
    for (let depth = path.length - 1; depth > 0 && (path[depth] as TrieNode<V>).count === 0; depth -= 1) {
      const up = path[depth - 1] as TrieNode<V>;
      up.slots[(key >>> ((LEVELS - depth) * BITS)) & MASK] = undefined;
      up.count -= 1;
    }
    const root = (path[0] as TrieNode<V>).count === 0 ? undefined : path[0];
    return { root, size: trie.size - 1 };
  }
  leaf.slots[slot] = value;
  if (!had) leaf.count += 1;
  return { root: path[0], size: had ? trie.size : trie.size + 1 };
}

/** Every value, in key order. */
export function* trieValues<V>(trie: PersistentTrie<V>): IterableIterator<V> {
  if (trie.root !== undefined) yield* walk(trie.root, LEVELS - 1);
}

function* walk<V>(node: TrieNode<V>, level: number): IterableIterator<V> {
  for (const slot of node.slots) {
    if (slot === undefined) continue;
    if (level === 0) yield slot as V;
    else yield* walk(slot as TrieNode<V>, level - 1);
  }
}
