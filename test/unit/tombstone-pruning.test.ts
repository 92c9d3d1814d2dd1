import { describe, expect, it } from "vitest";
import type { Timers } from "../../src/core/clock";
import { normalizeEntityId } from "../../src/core/entity-id";
import { EntityLedger } from "../../src/core/ledger";
import { createCounters } from "../../src/core/metrics";
import { createTombstonePruner } from "../../src/core/tombstones";
import { packVersion } from "../../src/core/version";

const ENTITIES = 5_000;

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
    const pruner = createTombstonePruner([ledger], counters, 10, timers, () => false);
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
    createTombstonePruner([ledger], counters, 10, timers, () => cancelled).prune();
    const afterFirst = counters.tombstonesPruned;
    cancelled = true;
    (turns.shift() as () => void)();
    await settle();
    expect(counters.tombstonesPruned).toBe(afterFirst);
    expect(turns).toHaveLength(0);
    expect(ledger.stats().entities).toBeGreaterThan(0);
  });
});
