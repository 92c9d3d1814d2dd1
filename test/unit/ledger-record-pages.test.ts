import { describe, expect, it } from "vitest";
import type { EntityId } from "../../src/core/entity-id";
import type { RecordPage } from "../../src/core/ledger-pages";
import { LedgerStore } from "../../src/core/ledger-store";
import { PAGE_SIZE } from "../../src/core/util/pages";
import { NO_VERSION } from "../../src/core/version";

const id = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as EntityId;
const pagesOf = (store: LedgerStore) => (store as unknown as { recordPages: RecordPage[] }).recordPages;

describe("the ledger's model records", () => {
  it("should live in pages that stay where they are as the world grows, each record read back as written", () => {
    const store = new LedgerStore([{ tag: "ns-Army", fields: ["x", "y"] }, { tag: "ns-Tile", fields: ["kind"] }], () => false);
    const entities = PAGE_SIZE * 5 + 3;
    const records: number[] = [];
    for (let n = 0; n < entities; n += 1) {
      const slot = store.slot(id(n + 1));
      for (let model = 0; model < 2; model += 1) {
        const record = store.addRecord(slot, model);
        records.push(record);
        store.setV(record, n * 10 + model);
        store.setAt(record, n * 10 + model + 1);
        if (n % 7 === 0) store.setDeleted(slot, record, 1);
        if (n % 5 === 0) store.setMemberVersion(record, model, 0, n * 10 + model + 2);
      }
      // The first page's columns are the same arrays after every page added: nothing is copied as the world grows.
      if (n === 0) expect(pagesOf(store)).toHaveLength(1);
    }
    const first = pagesOf(store)[0] as RecordPage;
    expect(pagesOf(store).length).toBe(Math.ceil((entities * 2) / PAGE_SIZE));
    for (let n = 0; n < entities; n += 1) {
      for (let model = 0; model < 2; model += 1) {
        const record = records[n * 2 + model] as number;
        expect(store.record(store.slot(id(n + 1)), model)).toBe(record);
        expect(store.vOf(record)).toBe(n * 10 + model);
        expect(store.atOf(record)).toBe(n * 10 + model + 1);
        expect(store.deletedOf(record)).toBe(n % 7 === 0 ? 1 : 0);
        expect(store.memberVersion(record, 0)).toBe(n % 5 === 0 ? n * 10 + model + 2 : Number.NaN);
      }
    }
    expect(pagesOf(store)[0]).toBe(first);
    expect(store.records).toBe(entities * 2);
  });

  it("should hand a freed record out again fresh: no version, live, no member versions", () => {
    const store = new LedgerStore([{ tag: "ns-Army", fields: ["x"] }], () => false);
    const slot = store.slot(id(1));
    const record = store.addRecord(slot, 0);
    store.setV(record, 5);
    store.setAt(record, 6);
    store.setDeleted(slot, record, 1);
    store.setMemberVersion(record, 0, 0, 9);
    store.removeRecord(slot, 0);
    const again = store.addRecord(store.slot(id(2)), 0);
    expect(again).toBe(record);
    expect([store.vOf(again), store.atOf(again), store.deletedOf(again), store.membersOf(again)]).toEqual([NO_VERSION, NO_VERSION, 0, undefined]);
  });
});
