import type { EntityId } from "./entity-id";
import type { ModelTag } from "./types";

/** Entity × models remembered at most: rejected writes are errors, rare; a flood of them forgets the oldest first. */
const LIMIT = 4_096;
/** The key of a rejection that named no model (the entity's whole payload was unreadable): it stands for every model. */
const ANY_MODEL = "*";

/**
 * Writes the client received and kept out (a value its schema cannot hold, a payload it cannot read): the newest block
 * time per entity × model. The ledger holds only what was applied, so the stream audit, comparing the server's recent
 * writes with it, took each of these for a write the stream never brought and replayed the whole scope, again at every
 * rejected write (a component whose value no longer fits its schema after a contract upgrade, written every few
 * seconds, kept the client replaying). Bounded: a long-forgotten rejection costs at most one replay.
 */
export class RejectedWrites {
  private readonly newest = new Map<string, number>();

  /** A write of `model` (undefined: the entity's whole message) at `executedAt` (seconds) was received and kept out. */
  note(entityId: EntityId, model: ModelTag | undefined, executedAt: number): void {
    if (!(executedAt >= 0)) return;
    const key = `${entityId}|${model ?? ANY_MODEL}`;
    const known = this.newest.get(key);
    if (known !== undefined && known >= executedAt) return;
    this.newest.delete(key);
    if (this.newest.size >= LIMIT) this.newest.delete(this.newest.keys().next().value as string);
    this.newest.set(key, executedAt);
  }

  /** The newest block time of a write of `model` received for the entity and kept out, or -1. */
  newestOf(entityId: EntityId, model: ModelTag): number {
    return Math.max(this.newest.get(`${entityId}|${model}`) ?? -1, this.newest.get(`${entityId}|${ANY_MODEL}`) ?? -1);
  }

  clear(): void {
    this.newest.clear();
  }
}
