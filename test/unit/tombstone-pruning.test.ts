import { describe, expect, it } from "vitest";
import type { Timers } from "../../src/core/clock";
import { normalizeEntityId } from "../../src/core/entity-id";
import { EntityLedger } from "../../src/core/ledger";
import { createCounters } from "../../src/core/metrics";
import { createTombstonePruner } from "../../src/core/tombstones";
import { packVersion } from "../../src/core/version";

const ENTITIES = 5_000;
const silentLog = { log: () => undefined, once: () => undefined };

/** A ledger of `ENTITIES` entities, each a whole-entity tombstone at second 5 (below any horizon used here). */
function ledgerOfTombstones(): EntityLedger {
  const ledger = new EntityLedger();
  for (let i = 1; i <= ENTITIES; i += 1) ledger.admitModelDelete(normalizeEntityId(`0x${i.toString(16)}`), "ns-Army", packVersion(5, 0));
  return ledger;
}

/** Timers whose clock advances 0.1 ms per read (a 4 ms slice reads it 40 times: 1,280 slots), and whose yields wait in `turns` until the test runs them. */
function steppedTimers(): { timers: Timers; turns: Array<() => void> } {
  let clock = 0;
  const turns: Array<() => void> = [];
  const timers: Timers = {
    setTimeout: () => undefined,
    clearTimeout: () => undefined,
    now: () => clock,
    monotonic: () => (clock += 0.1),
    defer: (callback) => turns.push(callback),
  };
  return { timers, turns };
}

async function settle(): Promise<void> {
  for (let tick = 0; tick < 5; tick += 1) await Promise.resolve();
}

describe("tombstone pruning after a replay: in slices", () => {
  it("should prune a large ledger over several turns of the event loop, the same tombstones a single walk prunes", async () => {
    const whole = ledgerOfTombstones();
    const expected = whole.pruneTombstones(packVersion(10, 0));
    expect(expected).toBe(ENTITIES);

    const ledger = ledgerOfTombstones();
    const counters = createCounters();
    counters.seenExecutedAt = 1_000;
    const { timers, turns } = steppedTimers();
    // Horizon 990 s: everything at second 5 is older.
    const pruner = createTombstonePruner({ ledgers: [ledger], counters, horizonSeconds: 10, timers, isCancelled: () => false, log: silentLog });
    pruner.prune();
    // The first slice ran at once and stopped on its budget: the rest waits for the event loop.
    expect(counters.tombstonesPruned).toBeGreaterThan(0);
    expect(counters.tombstonesPruned).toBeLessThan(expected);
    let slices = 1;
    while (turns.length > 0) {
      (turns.shift() as () => void)();
      await settle();
      slices += 1;
    }
    expect(slices).toBeGreaterThan(2);
    expect(counters.tombstonesPruned).toBe(expected);
    expect(ledger.stats()).toMatchObject({ entities: 0, tombstones: 0 });
  });

  it("should stop walking once the pipeline is cancelled", async () => {
    const ledger = ledgerOfTombstones();
    const counters = createCounters();
    counters.seenExecutedAt = 1_000;
    const { timers, turns } = steppedTimers();
    let cancelled = false;
    createTombstonePruner({ ledgers: [ledger], counters, horizonSeconds: 10, timers, isCancelled: () => cancelled, log: silentLog }).prune();
    const afterFirst = counters.tombstonesPruned;
    cancelled = true;
    (turns.shift() as () => void)();
    await settle();
    expect(counters.tombstonesPruned).toBe(afterFirst);
    expect(turns).toHaveLength(0);
    expect(ledger.stats().entities).toBeGreaterThan(0);
  });

  it("should run a prune asked for during a walk after it, at the newer horizon", async () => {
    const ledger = ledgerOfTombstones();
    // One newer tombstone, at second 500: inside the first horizon (990 - 600 = 390), outside the second (1,990 - 600).
    ledger.admitModelDelete(normalizeEntityId("0xfeed"), "ns-Army", packVersion(500, 0));
    const counters = createCounters();
    counters.seenExecutedAt = 990;
    const { timers, turns } = steppedTimers();
    const pruner = createTombstonePruner({ ledgers: [ledger], counters, horizonSeconds: 600, timers, isCancelled: () => false, log: silentLog });
    pruner.prune();
    counters.seenExecutedAt = 1_990;
    pruner.prune();
    while (turns.length > 0) {
      (turns.shift() as () => void)();
      await settle();
    }
    expect(counters.tombstonesPruned).toBe(ENTITIES + 1);
    expect(ledger.stats()).toMatchObject({ entities: 0, tombstones: 0 });
  });

  it("should start the walk a drain asks for in a task of its own, not inside the drain's slice", async () => {
    const ledger = ledgerOfTombstones();
    const counters = createCounters();
    counters.seenExecutedAt = 1_000;
    counters.deletes = 10_000;
    const { timers, turns } = steppedTimers();
    createTombstonePruner({ ledgers: [ledger], counters, horizonSeconds: 10, timers, isCancelled: () => false, log: silentLog }).afterDrain();
    await settle();
    expect(counters.tombstonesPruned).toBe(0);
    expect(turns).toHaveLength(1);
    (turns.shift() as () => void)();
    await settle();
    expect(counters.tombstonesPruned).toBeGreaterThan(0);
  });

  it("should log a walk that fails, once, instead of losing the error", async () => {
    const lines: string[] = [];
    const broken = { pruneTombstonesFrom: () => { throw new Error("the ledger broke"); } } as unknown as EntityLedger;
    const counters = createCounters();
    counters.seenExecutedAt = 1_000;
    const { timers } = steppedTimers();
    createTombstonePruner({ ledgers: [broken], counters, horizonSeconds: 10, timers, isCancelled: () => false, log: { log: (_level, message) => lines.push(message), once: () => undefined } }).prune();
    await settle();
    expect(lines).toEqual(["tombstone pruning failed: the ledger broke"]);
  });
});
