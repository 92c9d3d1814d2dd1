import type { Timers } from "../clock";
import type { DropRecorder } from "../drops";
import { SyncError } from "../errors";
import { PendingStore } from "../pending-store";
import type { Unconvertible } from "../pending-ties";
import type { IntakeSink, StreamHandle, SyncSource } from "../ports";
import type { EntityId } from "../entity-id";
import type { ConnectionState } from "../state";
import type { LedgerScope } from "../types";
import type { ComponentBinding } from "../writer/bindings";

export interface ReplayStreamsDeps {
  readonly source: SyncSource;
  readonly timers: Timers;
  readonly drops: DropRecorder;
  /** The buffer holds at most this many entities; past it the replay must page again. */
  readonly highWaterMark: number;
  /** The bound models (the pending store's layout). */
  readonly layout: readonly ComponentBinding[];
  /** The entity's ledger slot (see PendingStoreOptions.entitySlot). */
  readonly entitySlot: (scope: LedgerScope, entityId: EntityId) => number;
  /** See PendingStoreOptions.unconvertible. */
  readonly unconvertible?: Unconvertible;
  onConnection(connection: ConnectionState): void;
  /** The buffer passed its high-water mark and dropped what it held (the replay must page again). */
  onOverflow(dropped: number): void;
}

/**
 * The streams a replay opens first, and the compacting buffer they fill while the snapshot is paged: released behind
 * the snapshot, through the same queue, so nothing between snapshot and stream is lost and nothing older wins.
 */
export class ReplayStreams {
  /** Where stream changes go while a replay pages; `undefined` once released (they go to the main queue). */
  buffer: PendingStore | undefined;
  /** Times a buffer passed its high-water mark (part of `metrics().overflows`). */
  overflows = 0;
  /** Updates compacted in buffers already released or dropped: `metrics().compacted` is a counter, never going down. */
  private compactedBefore = 0;
  private streams: StreamHandle[] = [];
  private overflowed = false;
  private cancelled = false;

  constructor(private readonly deps: ReplayStreamsDeps) {}

  /** Updates compacted in every buffer of this pipeline, the one filling now included. */
  get compacted(): number {
    return this.compactedBefore + (this.buffer?.compacted ?? 0);
  }

  /** Cancel the streams and subscribe again, routing updates into a fresh buffer. */
  async resubscribe(sink: IntakeSink): Promise<void> {
    this.cancelStreams();
    this.deps.onConnection("connecting");
    this.closeBuffer();
    this.overflowed = false;
    this.buffer = new PendingStore(this.deps.layout, {
      highWaterMark: this.deps.highWaterMark,
      drops: this.deps.drops,
      entitySlot: this.deps.entitySlot,
      ...(this.deps.unconvertible === undefined ? {} : { unconvertible: this.deps.unconvertible }),
      onOverflow: (dropped) => {
        this.overflowed = true;
        this.overflows += 1;
        this.deps.onOverflow(dropped);
      },
    });
    const { source } = this.deps;
    const opened = await Promise.allSettled(source.scopes.map((scope) => source.subscribe(scope, sink)));
    this.streams = opened.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
    // cancel() may have run while the client confirmed them: nothing would cancel these afterwards.
    if (this.cancelled) {
      this.cancelStreams();
      return;
    }
    const failed = opened.find((result): result is PromiseRejectedResult => result.status === "rejected");
    if (failed !== undefined) {
      this.cancelStreams();
      this.deps.onConnection("closed");
      throw failed.reason;
    }
  }

  /**
   * Whether this episode's streams and buffer are intact, so a retry may resume paging from its cursor. A buffer that
   * overflowed is not: its release would fail the retry again, a second attempt of the budget spent for nothing.
   */
  canResume(): boolean {
    return this.buffer !== undefined && !this.overflowed && this.streams.length === this.deps.source.scopes.length && this.streams.every((stream) => !stream.cancelled);
  }

  /** Move the buffer behind what `store` holds and drain it; the stream feeds the store directly afterwards. */
  async release(store: PendingStore, flush: () => Promise<void>): Promise<void> {
    const held = this.buffer;
    if (held !== undefined) held.moveInto(store);
    this.closeBuffer();
    await flush();
    if (this.overflowed) {
      this.overflowed = false;
      throw new SyncError("SYNC_QUEUE_OVERFLOW", "Stream updates overflowed the buffer during the replay; replaying again.");
    }
  }

  /** For good (the pipeline's cancel): a subscription confirmed afterwards is cancelled as it arrives. */
  cancel(): void {
    this.cancelled = true;
    this.cancelStreams();
    this.closeBuffer();
  }

  private closeBuffer(): void {
    this.compactedBefore += this.buffer?.compacted ?? 0;
    this.buffer?.close();
    this.buffer = undefined;
  }

  private cancelStreams(): void {
    for (const stream of this.streams) stream.cancel();
    this.streams = [];
  }
}
