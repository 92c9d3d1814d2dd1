import type { Timers } from "../clock";
import type { DropRecorder } from "../drops";
import { SyncError } from "../errors";
import type { IntakeSink, StreamHandle, SyncSource } from "../ports";
import { UpdateQueue } from "../queue";
import type { ConnectionState } from "../state";

export interface ReplayStreamsDeps {
  readonly source: SyncSource;
  readonly timers: Timers;
  readonly drops: DropRecorder;
  /** The buffer holds at most this many entities; past it the replay must page again. */
  readonly highWaterMark: number;
  onConnection(connection: ConnectionState): void;
}

/**
 * The streams a replay opens first, and the compacting buffer they fill while the snapshot is paged: released behind
 * the snapshot, through the same queue, so nothing between snapshot and stream is lost and nothing older wins.
 */
export class ReplayStreams {
  /** Where stream changes go while a replay pages; `undefined` once released (they go to the main queue). */
  buffer: UpdateQueue | undefined;
  private streams: StreamHandle[] = [];
  private overflowed = false;

  constructor(private readonly deps: ReplayStreamsDeps) {}

  /** Cancel the streams and subscribe again, routing updates into a fresh buffer. */
  async resubscribe(sink: IntakeSink): Promise<void> {
    this.cancelStreams();
    this.deps.onConnection("connecting");
    this.buffer?.close();
    this.overflowed = false;
    this.buffer = new UpdateQueue({
      config: { highWaterMark: this.deps.highWaterMark },
      timers: this.deps.timers,
      drops: this.deps.drops,
      apply: () => undefined,
      onOverflow: () => {
        this.overflowed = true;
      },
    });
    this.buffer.pause();
    const { source } = this.deps;
    const opened = await Promise.allSettled(source.scopes.map((scope) => source.subscribe(scope, sink)));
    this.streams = opened.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
    const failed = opened.find((result): result is PromiseRejectedResult => result.status === "rejected");
    if (failed !== undefined) {
      this.cancelStreams();
      this.deps.onConnection("closed");
      throw failed.reason;
    }
  }

  /** Whether this episode's streams and buffer are intact, so a retry may resume paging from its cursor. */
  canResume(): boolean {
    return this.buffer !== undefined && this.streams.length === this.deps.source.scopes.length && this.streams.every((stream) => !stream.cancelled);
  }

  /** Move the buffer behind what `queue` holds and drain it; the stream feeds the queue directly afterwards. */
  async release(queue: UpdateQueue): Promise<void> {
    const held = this.buffer;
    this.buffer = undefined;
    if (held !== undefined) {
      for (const item of held.takeAll()) queue.absorb(item);
      held.close();
    }
    await queue.flush();
    if (this.overflowed) {
      this.overflowed = false;
      throw new SyncError("SYNC_QUEUE_OVERFLOW", "Stream updates overflowed the buffer during the replay; replaying again.");
    }
  }

  cancel(): void {
    this.cancelStreams();
    this.buffer?.close();
    this.buffer = undefined;
  }

  private cancelStreams(): void {
    for (const stream of this.streams) stream.cancel();
    this.streams = [];
  }
}
