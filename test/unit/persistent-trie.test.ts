import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { emptyTrie, trieGet, trieSet, trieValues, type PersistentTrie } from "../../src/map/persistent-trie";

const RUNS = Number(process.env.PROPERTY_RUNS ?? 1000);

describe("persistent trie", () => {
  it("should behave like a Map under any edits, and leave earlier versions untouched", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.oneof(fc.nat(64), fc.nat(0xffffffff)), fc.option(fc.integer(), { nil: undefined }), fc.boolean()), { maxLength: 200 }),
        (edits) => {
          let trie: PersistentTrie<number> = emptyTrie();
          const model = new Map<number, number>();
          const versions: Array<[PersistentTrie<number>, Map<number, number>]> = [];
          let owner = {};
          for (const [key, value, newBatch] of edits) {
            if (newBatch) {
              versions.push([trie, new Map(model)]);
              owner = {};
            }
            trie = trieSet(trie, key, value, owner);
            if (value === undefined) model.delete(key);
            else model.set(key, value);
            expect(trie.size).toBe(model.size);
            expect(trieGet(trie, key)).toBe(value);
          }
          expect([...trieValues(trie)].sort((a, b) => a - b)).toEqual([...model.values()].sort((a, b) => a - b));
          for (const [old, snapshot] of versions) {
            expect(old.size).toBe(snapshot.size);
            for (const [key, value] of snapshot) expect(trieGet(old, key)).toBe(value);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("should return the same trie when deleting an absent key, building no node", () => {
    const owner = {};
    const trie = trieSet(emptyTrie<string>(), 1, "a", owner);
    expect(trieSet(trie, 999_999, undefined, {})).toBe(trie);
    expect(trieSet(trie, 999_999, undefined, owner)).toBe(trie);
  });

  it("should empty back to no root when everything is deleted", () => {
    const owner = {};
    let trie = trieSet(emptyTrie<string>(), 123456, "a", owner);
    trie = trieSet(trie, 123456, undefined, owner);
    expect(trie).toEqual({ root: undefined, size: 0 });
  });
});
