import { minimalHex } from "../protocol/felt";
import type { EntityRow } from "../store/world-store";
import type { WorldHead } from "./changes";
import { keysToText } from "./keys";
import type { Rng } from "./rng";

const TX_HASH_MODULUS = 2n ** 250n;

/**
 * The simulated chain head and the version each write gets from it: block, block timestamp, event index within the
 * block, Torii's `event_id`, and the indexer's `updated_at` (block timestamp + lag).
 */
export class IndexerClock {
  private block: number;
  private timestamp: number;
  private eventIndex = 0;
  /** Per block: the event id's block part and the tx hash's block term, formatted once. */
  private blockPrefix = "";
  private blockHashBase = 0n;

  constructor(
    private readonly worldAddress: string,
    start: WorldHead,
    private readonly lagSeconds: number,
  ) {
    this.block = start.block;
    this.timestamp = start.timestamp;
    this.startBlock();
  }

  private startBlock(): void {
    this.eventIndex = 0;
    this.blockPrefix = `0x${this.block.toString(16).padStart(62, "0")}:`;
    this.blockHashBase = BigInt(this.block) * 0x9e3779b97f4a7c15n;
  }

  head(): WorldHead {
    return { block: this.block, timestamp: this.timestamp };
  }

  get currentBlock(): number {
    return this.block;
  }

  /** The next block: whole-second timestamps that often repeat, a coarse version with ties, as on Starknet. */
  advance(rng: Rng): void {
    this.block += 1;
    this.timestamp += rng.pick([0, 1, 1, 2]);
    this.startBlock();
  }

  /** The entity row one more write in the current block leaves behind. */
  nextRow(id: string, keys: readonly bigint[], previous: EntityRow | undefined): EntityRow {
    const updatedAt = this.timestamp + this.lagSeconds;
    const index = this.eventIndex;
    this.eventIndex += 1;
    const txHash = minimalHex((this.blockHashBase + BigInt(index) * 0x100000001b3n) % TX_HASH_MODULUS);
    // Torii's event_id (format_event_id): "{block:#064x}:{tx_hash:#x}:{contract:#x}:{event_idx:#04x}" (Rust's #064x pads
    // to 64 chars incl. 0x; #x is minimal hex).
    const eventId = `${this.blockPrefix}${txHash}:${minimalHex(BigInt(this.worldAddress))}:0x${index.toString(16).padStart(2, "0")}`;
    // An entity's keys never change: reuse the stored text instead of formatting it again.
    const keysText = previous?.keys ?? keysToText(keys);
    return { id, keys: keysText, eventId, executedAt: this.timestamp, createdAt: previous?.createdAt ?? updatedAt, updatedAt };
  }
}
