import type { Timers } from "./clock";
import { SyncError } from "./errors";
import type { EntityLedger } from "./ledger";
import type { PipelineCounters } from "./metrics";
import type { CoreLogger } from "./ports";
import { Slicer } from "./util/slicer";
import { packVersion } from "./version";

export interface TombstonePrunerDeps {
  readonly ledgers: readonly EntityLedger[];
  readonly counters: PipelineCounters;
  readonly horizonSeconds: number;
  readonly timers: Timers;
  isCancelled(): boolean;
  readonly log: CoreLogger;
}

/**
 * Tombstones older than the horizon guard nothing once a replay has reconciled past them: forgotten after each replay,
 * and every 10,000 deletes in a long session without one, so the ledger stays bounded. The walk visits every entity
 * (100,000 of them took ~17 ms in one task), so it runs in slices with the event loop let in between. A prune asked
 * for while a walk is under way runs after it, at the horizon of its own time.
 */
export function createTombstonePruner({ ledgers, counters, horizonSeconds, timers, isCancelled, log }: TombstonePrunerDeps): { prune(): void; afterDrain(): void } {
  let deletesAtLastPrune = 0;
  let walking = false;
  let again = false;

  const walk = async (olderThan: number, afterTurn: boolean): Promise<void> => {
    const slicer = new Slicer(timers, undefined, isCancelled);
    // Each `pause()` rejects with SYNC_CANCELLED once the pipeline is cancelled: the walk just stops.
    if (afterTurn) await slicer.pause();
    for (const ledger of ledgers) {
      let from = 0;
      for (;;) {
        const { pruned, next } = ledger.pruneTombstonesFrom(olderThan, from, () => slicer.due());
        counters.tombstonesPruned += pruned;
        if (next < 0) break;
        from = next;
        await slicer.pause();
      }
    }
    slicer.end();
  };

  /** `afterTurn`: start in a task of its own (asked from inside a drain slice, which has spent its budget). */
  const start = (afterTurn: boolean): void => {
    deletesAtLastPrune = counters.deletes;
    const horizon = counters.seenExecutedAt - horizonSeconds;
    if (horizon <= 0) return;
    if (walking) {
      again = true;
      return;
    }
    walking = true;
    walk(packVersion(horizon, 0), afterTurn).then(
      () => {
        walking = false;
        if (!again) return;
        again = false;
        start(true);
      },
      (error: unknown) => {
        walking = false;
        again = false;
        if (error instanceof SyncError && error.code === "SYNC_CANCELLED") return;
        log.log("error", `tombstone pruning failed: ${error instanceof Error ? error.message : String(error)}`);
      },
    );
  };

  return {
    // After a replay: the first slice runs now, so a small ledger is pruned before this returns.
    prune: () => start(false),
    afterDrain() {
      if (counters.deletes - deletesAtLastPrune >= 10_000) start(true);
    },
  };
}
