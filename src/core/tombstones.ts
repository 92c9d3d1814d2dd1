import type { EntityLedger } from "./ledger";
import type { PipelineCounters } from "./metrics";
import { packVersion } from "./version";

/**
 * Tombstones older than the horizon guard nothing once a replay has reconciled past them: forgotten after each replay,
 * and every 10,000 deletes in a long session without one, so the ledger stays bounded.
 */
export function createTombstonePruner(ledgers: readonly EntityLedger[], counters: PipelineCounters, horizonSeconds: number): { prune(): void; afterDrain(): void } {
  let deletesAtLastPrune = 0;
  const prune = (): void => {
    deletesAtLastPrune = counters.deletes;
    const horizon = counters.seenExecutedAt - horizonSeconds;
    if (horizon > 0) for (const ledger of ledgers) counters.tombstonesPruned += ledger.pruneTombstones(packVersion(horizon, 0));
  };
  return {
    prune,
    afterDrain() {
      if (counters.deletes - deletesAtLastPrune >= 10_000) prune();
    },
  };
}
