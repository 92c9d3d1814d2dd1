import { describe, expect, it } from "vitest";
import { normalizeEntityId } from "../../src/core/entity-id";
import { EntityLedger } from "../../src/core/ledger";
import { LedgerStore } from "../../src/core/ledger-store";
import { PAGE_SIZE } from "../../src/core/util/pages";
import { NO_VERSION, packVersion } from "../../src/core/version";
import { isSharded } from "../../src/core/util/sharded-map";

const id = normalizeEntityId("0xabc");
const v = (seconds: number, index = 0) => packVersion(seconds, index);
const members = (entries: Record<string, number>) => new Map(Object.entries(entries));

describe("EntityLedger", () => {
  it("should drop a write older than the one applied", () => {
    const ledger = new EntityLedger();
    expect(ledger.admitWrite(id, "ns-Army", members({ x: v(10), y: v(10) }), true).size).toBe(2);
    expect(ledger.admitWrite(id, "ns-Army", members({ x: v(9), y: v(9) }), true).size).toBe(0);
    expect(ledger.versionOf(id, "ns-Army")).toBe(v(10));
  });

  it("should apply a tie, so equal versions land in arrival order", () => {
    const ledger = new EntityLedger();
    ledger.admitWrite(id, "ns-Army", members({ x: v(10) }), true);
    expect([...ledger.admitWrite(id, "ns-Army", members({ x: v(10) }), true)]).toEqual(["x"]);
  });

  it("should never drop a model's update because another model of the entity is newer", () => {
    const ledger = new EntityLedger();
    ledger.admitWrite(id, "ns-Structure", members({ owner: v(50) }), true);
    expect(ledger.admitWrite(id, "ns-Army", members({ x: v(20) }), true).size).toBe(1);
  });

  it("should track partial members apart: an older member write still lands when only other members are newer", () => {
    const ledger = new EntityLedger();
    ledger.admitWrite(id, "ns-Army", members({ x: v(10), y: v(10) }), true);
    expect([...ledger.admitWrite(id, "ns-Army", members({ x: v(12) }), false)]).toEqual(["x"]);
    expect([...ledger.admitWrite(id, "ns-Army", members({ x: v(11), y: v(11) }), true)]).toEqual(["y"]);
    expect(ledger.stats().memberVersions).toBe(1);
    // A complete newer write folds the member versions back into one.
    ledger.admitWrite(id, "ns-Army", members({ x: v(13), y: v(13) }), true);
    expect(ledger.stats().memberVersions).toBe(0);
  });

  it("should let a delete win over anything older and leave a tombstone", () => {
    const ledger = new EntityLedger();
    ledger.admitWrite(id, "ns-Army", members({ x: v(10) }), true);
    expect(ledger.admitModelDelete(id, "ns-Army", v(15)).applied).toBe(true);
    expect(ledger.isDeleted(id, "ns-Army")).toBe(true);
    expect(ledger.admitWrite(id, "ns-Army", members({ x: v(14) }), true).size).toBe(0);
    expect(ledger.stats().tombstones).toBe(1);
  });

  it("should drop a delete older than the applied write", () => {
    const ledger = new EntityLedger();
    ledger.admitWrite(id, "ns-Army", members({ x: v(10) }), true);
    expect(ledger.admitModelDelete(id, "ns-Army", v(9)).applied).toBe(false);
    expect(ledger.isDeleted(id, "ns-Army")).toBe(false);
  });

  it("should let a newer write recreate a deleted component", () => {
    const ledger = new EntityLedger();
    ledger.admitModelDelete(id, "ns-Army", v(15));
    expect(ledger.admitWrite(id, "ns-Army", members({ x: v(16) }), true).size).toBe(1);
    expect(ledger.isDeleted(id, "ns-Army")).toBe(false);
  });

  it("should remember a tombstone for a delete that arrives before any write", () => {
    const ledger = new EntityLedger();
    expect(ledger.admitModelDelete(id, "ns-Army", v(15)).applied).toBe(true);
    expect(ledger.admitWrite(id, "ns-Army", members({ x: v(12) }), true).size).toBe(0);
  });

  it("should delete every model no newer than a whole-entity delete, keep newer ones, and drop late older writes", () => {
    const ledger = new EntityLedger();
    ledger.admitWrite(id, "ns-Army", members({ x: v(10) }), true);
    ledger.admitWrite(id, "ns-Structure", members({ owner: v(30) }), true);
    const decision = ledger.admitEntityDelete(id, v(20));
    expect(decision).toEqual({ applied: true, kept: new Map([["ns-Structure", "all"]]) });
    expect(ledger.isDeleted(id, "ns-Army")).toBe(true);
    // A model never seen before is still protected by the entity's floor.
    expect(ledger.admitWrite(id, "ns-Tile", members({ biome: v(19) }), true).size).toBe(0);
    expect(ledger.admitWrite(id, "ns-Tile", members({ biome: v(21) }), true).size).toBe(1);
    expect(ledger.admitEntityDelete(id, v(5)).applied).toBe(false);
  });

  it("should let members written after a delete survive it as a partial recreate", () => {
    const ledger = new EntityLedger();
    ledger.admitWrite(id, "ns-Army", members({ x: v(12) }), false);
    ledger.admitWrite(id, "ns-Army", members({ x: v(10), y: v(10) }), true);
    expect(ledger.admitModelDelete(id, "ns-Army", v(11))).toEqual({ applied: true, survivors: ["x"] });
    expect(ledger.isDeleted(id, "ns-Army")).toBe(false);
    expect(ledger.admitWrite(id, "ns-Army", members({ y: v(10) }), false).size).toBe(0);
    expect(ledger.admitEntityDelete(id, v(11.5 | 0) + 1).kept).toEqual(new Map([["ns-Army", ["x"]]]));
  });

  it("should be seeded by snapshot writes and report the newest version", () => {
    const ledger = new EntityLedger();
    for (let i = 1; i <= 100; i += 1) ledger.admitWrite(normalizeEntityId(`0x${i.toString(16)}`), "ns-Army", members({ x: v(i) }), true);
    expect(ledger.stats()).toMatchObject({ entities: 100, models: 100, tombstones: 0 });
    expect(ledger.newestVersion()).toBe(v(100));
  });

  it("should prune tombstones older than a horizon", () => {
    const ledger = new EntityLedger();
    ledger.admitModelDelete(id, "ns-Army", v(5));
    ledger.admitModelDelete(normalizeEntityId("0xdef"), "ns-Army", v(50));
    expect(ledger.pruneTombstones(v(10))).toBe(1);
    expect(ledger.stats()).toMatchObject({ entities: 1, tombstones: 1 });
  });
});

describe("EntityLedger: live counts kept as records change", () => {
  /** What the counts must equal: every entity × model record walked and counted. */
  function recount(ledger: EntityLedger, ids: readonly string[], models: readonly string[]) {
    let records = 0;
    let entities = 0;
    for (const entityId of ids) {
      const live = ledger.liveModels(entityId as never).filter((model) => models.includes(model)).length;
      records += live;
      if (live > 0) entities += 1;
    }
    return { records, entities };
  }

  it("should equal a recount after any mix of writes, deletes, entity deletes and pruning", () => {
    const ids = Array.from({ length: 12 }, (_, index) => normalizeEntityId(`0x${(index + 1).toString(16)}`));
    const models = ["ns-Army", "ns-Tile", "ns-Bank"];
    let seed = 7;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const ledger = new EntityLedger();
    for (let step = 0; step < 3_000; step += 1) {
      const entityId = ids[next(ids.length)] as (typeof ids)[number];
      const model = models[next(models.length)] as string;
      const at = v(1 + step + next(40) - 20);
      const op = next(10);
      if (op < 6) ledger.admitWrite(entityId, model, members(next(2) === 0 ? { x: at, y: at } : { x: at }), next(2) === 0);
      else if (op < 8) ledger.admitModelDelete(entityId, model, at);
      else if (op < 9) ledger.admitEntityDelete(entityId, at);
      else ledger.pruneTombstones(v(step - 100));
      const expected = recount(ledger, ids, models);
      expect({ records: ledger.liveModelCount(), entities: ledger.liveEntityCount() }).toEqual(expected);
    }
  });
});

describe("LedgerStore pages", () => {
  it("should keep per-entity numbers in fixed pages, so growing the world copies no array, and a late model widens them all", () => {
    const store = new LedgerStore([{ tag: "ns-A", fields: ["x"] }], () => false);
    const entities = PAGE_SIZE * 9 + 3;
    const ids = Array.from({ length: entities }, (_, n) => normalizeEntityId(`0x${(n + 1).toString(16)}`));
    for (const [n, entityId] of ids.entries()) {
      const slot = store.slot(entityId);
      expect(slot).toBe(n);
      store.addRecord(slot, 0);
      store.setFloor(slot, v(n));
      store.setSeen(slot, n + 1);
    }
    expect(store.pages.length).toBe(Math.ceil(entities / PAGE_SIZE));
    // The id → slot Map is sharded too: no rehash of every id in one write.
    expect(isSharded(store.slots as Map<unknown, unknown>)).toBe(true);
    for (const page of store.pages) {
      expect(page.floor.length).toBe(PAGE_SIZE);
      expect(page.seen.length).toBe(PAGE_SIZE);
      expect(page.recordOf.length).toBe(PAGE_SIZE * store.stride);
    }
    // Four more models than the first stride holds: every page's record index widens, and nothing is lost.
    for (const tag of ["ns-B", "ns-C", "ns-D", "ns-E"]) store.model(tag);
    expect(store.stride).toBe(8);
    const last = entities - 1;
    store.addRecord(last, 4);
    for (const n of [0, PAGE_SIZE - 1, PAGE_SIZE, 1000, last]) {
      expect(store.record(n, 0)).toBeGreaterThanOrEqual(0);
      expect(store.record(n, 3)).toBe(-1);
      expect(store.floorOf(n)).toBe(v(n));
      expect(store.seenAt(n)).toBe(n + 1);
    }
    expect(store.record(last, 4)).toBeGreaterThanOrEqual(0);
    expect(store.pages.every((page) => page.recordOf.length === PAGE_SIZE * 8)).toBe(true);
    // A freed slot comes back clean.
    store.removeSlot(5);
    const reused = store.slot(normalizeEntityId("0xfeed"));
    expect(reused).toBe(5);
    expect(store.floorOf(reused)).toBe(NO_VERSION);
    expect(store.seenAt(reused)).toBe(-1);
    expect(store.record(reused, 0)).toBe(-1);
  });
});
