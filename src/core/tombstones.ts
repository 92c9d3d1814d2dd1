import type { Timers } from "./clock";
import type { EntityLedger } from "./ledger";
import type { PipelineCounters } from "./metrics";
import { Slicer } from "./util/slicer";
import { packVersion } from "./version";

/**
 * Tombstones older than the horizon guard nothing once a replay has reconciled past them: forgotten after each replay,
 * and every 10,000 deletes in a long session without one, so the ledger stays bounded. The walk visits every entity
 * (100,000 of them take ~17 ms), so it runs in slices with the event loop let in between; a walk already under way
 * when another is asked for covers it (it runs to the end of the ledger).
 */
export function createTombstonePruner(ledgers: readonly EntityLedger[], counters: PipelineCounters, horizonSeconds: number, timers: Timers, isCancelled: () => boolean): { prune(): void; afterDrain(): void } {
  let deletesAtLastPrune = 0;
  let walking = false;

  const walk = async (olderThan: number): Promise<void> => {
    const slicer = new Slicer(timers, undefined, isCancelled);
    for (const ledger of ledgers) {
      let from = 0;
      for (;;) {
        const { pruned, next } = ledger.pruneTombstonesFrom(olderThan, from, () => slicer.due());
        counters.tombstonesPruned += pruned;
        if (next < 0) break;
        from = next;
        // Rejects with SYNC_CANCELLED once the pipeline is cancelled: the walk just stops.
        await slicer.pause();
      }
    }
  };

  const prune = (): void => {
    deletesAtLastPrune = counters.deletes;
    const horizon = counters.seenExecutedAt - horizonSeconds;
    if (horizon <= 0 || walking) return;
    walking = true;
    // The first slice runs now: a small ledger is pruned before this returns.
    void walk(packVersion(horizon, 0))
      .catch(() => undefined)
      .finally(() => {
        walking = false;
      });
  };

  return {
    prune,
    afterDrain() {
      if (counters.deletes - deletesAtLastPrune >= 10_000) prune();
    },
  };
}
