import { padHex } from "../protocol/felt";
import type { ModelDef } from "../schema/types";
import type { WorldActivity } from "./activity";

export interface WorldOptions {
  /** Seed of every random choice the world makes. @default 1 */
  readonly seed?: number;
  /** The world contract address (a felt). @default "0x0" + "5eed…" padded */
  readonly worldAddress?: string;
  /** Models the world holds. @default BLITZ_MODELS */
  readonly models?: readonly ModelDef[];
  /** Head block before the first step. @default 1000 */
  readonly startBlock?: number;
  /** Head block timestamp (unix seconds) before the first step. @default 1_700_000_000 */
  readonly startTimestamp?: number;
  /** How many seconds after the block timestamp the indexer writes a row (`updated_at - executed_at`). @default 1 */
  readonly indexerLagSeconds?: number;
  /** What happens on `step()` and at genesis; `false` for a world that only changes through the write API.
   * @default blitzActivity() when `models` is BLITZ_MODELS, otherwise false */
  readonly activity?: WorldActivity | false;
}

export const DEFAULT_WORLD_ADDRESS = padHex(0x5eed_0000_7041_1000n);
