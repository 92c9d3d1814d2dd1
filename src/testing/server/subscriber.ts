import type { ServerResponse } from "node:http";
import type { Clause } from "@dojoengine/grpc";
import { encodeTrailerFrame, GrpcStatus } from "../protocol/grpc-web";
import type { EntityKind } from "../store/world-store";
import type { Rng } from "../world/rng";
import type { ChaosConfig, StallMode } from "./chaos-config";
import type { TimerRegistry } from "./timers";

/** A snapshot of one subscriber, for assertions and debugging. */
export interface SubscriberInfo {
  readonly subscriptionId: bigint;
  readonly kind: EntityKind;
  readonly pending: number;
  readonly delivered: number;
  readonly dropped: number;
  readonly duplicated: number;
  readonly stalled: boolean;
}

export type SubscriberCloseReason = "client" | "evicted" | "broken" | "server";

/** Frames written in one turn of the event loop go out as one socket write; a burst past this size goes out at once. */
const OUTBOX_FLUSH_BYTES = 256 * 1024;

interface Delayed {
  readonly due: number;
  readonly frame: Buffer;
}

/**
 * One open SubscribeEntities/SubscribeEventMessages stream and its delivery queue. Chaos (drop, duplicate, delay,
 * reorder, stall) is applied per subscriber; anything not yet written counts as pending, and pending above
 * `maxPendingMessages` disconnects the subscriber, the way real Torii drops a subscriber whose buffer fills.
 * Written frames are gathered in an outbox and handed to the socket once per microtask turn, as one HTTP chunk:
 * they count as delivered (handed to the socket), like frames sitting in a kernel buffer.
 */
export class Subscriber {
  clause: Clause | undefined;
  worldAddresses: readonly bigint[];
  private readonly held: Buffer[] = [];
  private readonly window: Buffer[] = [];
  private readonly delayed: Delayed[] = [];
  private outbox: Buffer[] = [];
  private outboxBytes = 0;
  private flushQueued = false;
  private readonly flushOutbox = (): void => {
    this.flushQueued = false;
    this.flush();
  };
  private delayTimer: NodeJS.Timeout | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private stallMode: StallMode | undefined;
  private closed = false;
  private delivered = 0;
  private dropped = 0;
  private duplicated = 0;

  constructor(
    readonly subscriptionId: bigint,
    readonly kind: EntityKind,
    clause: Clause | undefined,
    worldAddresses: readonly bigint[],
    private readonly response: ServerResponse,
    private readonly rng: Rng,
    private readonly config: () => ChaosConfig,
    private readonly timers: TimerRegistry,
    private readonly onClose: (subscriber: Subscriber, reason: SubscriberCloseReason) => void,
  ) {
    this.clause = clause;
    this.worldAddresses = worldAddresses;
    response.on("close", () => this.close("client"));
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get pending(): number {
    return this.held.length + this.window.length + this.delayed.length;
  }

  info(): SubscriberInfo {
    return {
      subscriptionId: this.subscriptionId,
      kind: this.kind,
      pending: this.pending,
      delivered: this.delivered,
      dropped: this.dropped,
      duplicated: this.duplicated,
      stalled: this.stallMode !== undefined,
    };
  }

  /** Writes a gRPC-web frame now, outside chaos: the stream's first message (only the subscription id). */
  sendNow(frame: Buffer): void {
    if (!this.closed) this.toOutbox(frame);
  }

  /** Queues one update (a whole gRPC-web frame) through the chaos pipeline. */
  push(frame: Buffer): void {
    if (this.closed) return;
    const config = this.config();
    if (this.rng.chance(config.dropProbability)) {
      this.dropped += 1;
      return;
    }
    this.enqueue(frame, config);
    // The first copy may have evicted this subscriber; a copy queued after close() would re-arm the delay timer forever.
    if (!this.closed && this.rng.chance(config.duplicateProbability)) {
      this.duplicated += 1;
      this.enqueue(frame, config);
    }
  }

  /**
   * From now on nothing is written until `resume()`. Frames already waiting out a delay or sitting in the reorder window
   * would otherwise still trickle out during the stall, so they are held (in the order they would have gone out) or dropped.
   */
  stall(mode: StallMode): void {
    if (this.closed) return;
    this.stallMode = mode;
    this.timers.clear(this.delayTimer);
    this.timers.clear(this.flushTimer);
    this.delayTimer = undefined;
    this.flushTimer = undefined;
    const waiting = [...this.delayed.splice(0).map((item) => item.frame), ...this.window.splice(0)];
    if (mode === "hold") this.held.push(...waiting);
    else this.dropped += waiting.length;
  }

  /** Ends a stall; held messages go out in order, before anything newer. */
  resume(): void {
    this.stallMode = undefined;
    const held = this.held.splice(0);
    for (const frame of held) this.schedule(frame, this.config());
  }

  /** Ends the stream: cleanly with a trailer (server side), or by destroying the socket (a broken connection). */
  close(reason: SubscriberCloseReason): void {
    if (this.closed) return;
    this.closed = true;
    this.timers.clear(this.delayTimer);
    this.timers.clear(this.flushTimer);
    this.held.length = 0;
    this.window.length = 0;
    this.delayed.length = 0;
    // A cut cable loses what was not flushed yet; a clean end sends it before the trailer.
    const unsent = this.outbox;
    this.outbox = [];
    this.outboxBytes = 0;
    if (reason === "broken") this.response.socket?.destroy();
    else if (reason !== "client" && !this.response.writableEnded) this.response.end(Buffer.concat([...unsent, encodeTrailerFrame(GrpcStatus.OK)]));
    this.onClose(this, reason);
  }

  private enqueue(frame: Buffer, config: ChaosConfig): void {
    if (this.closed) return;
    if (this.stallMode === "drop") {
      this.dropped += 1;
      return;
    }
    if (this.stallMode === "hold") {
      this.held.push(frame);
    } else if (config.reorderWindow > 0) {
      this.window.push(frame);
      if (this.window.length > config.reorderWindow) this.releaseFromWindow(config);
      this.armFlush(config);
    } else {
      this.schedule(frame, config);
    }
    if (this.pending > config.maxPendingMessages) this.close("evicted");
  }

  private releaseFromWindow(config: ChaosConfig): void {
    const [frame] = this.window.splice(this.rng.int(0, this.window.length - 1), 1);
    if (frame !== undefined) this.schedule(frame, config);
  }

  private armFlush(config: ChaosConfig): void {
    this.timers.clear(this.flushTimer);
    this.flushTimer = this.timers.set(() => {
      this.flushTimer = undefined;
      while (this.window.length > 0 && !this.closed) this.releaseFromWindow(this.config());
    }, config.reorderFlushMs);
  }

  private schedule(frame: Buffer, config: ChaosConfig): void {
    if (this.closed) return;
    const delay = config.delayMs + (config.jitterMs > 0 ? this.rng.int(0, config.jitterMs) : 0);
    if (delay <= 0 && this.delayed.length === 0) {
      this.write(frame);
      return;
    }
    const due = Date.now() + delay;
    // Keep the queue sorted by due time; equal due times keep arrival order.
    let at = this.delayed.length;
    while (at > 0 && (this.delayed[at - 1]?.due ?? 0) > due) at -= 1;
    this.delayed.splice(at, 0, { due, frame });
    this.armDelay();
  }

  private armDelay(): void {
    this.timers.clear(this.delayTimer);
    this.delayTimer = undefined;
    const next = this.delayed[0];
    if (next === undefined || this.closed) return;
    this.delayTimer = this.timers.set(() => {
      this.delayTimer = undefined;
      const now = Date.now();
      while (!this.closed && (this.delayed[0]?.due ?? Infinity) <= now) {
        const item = this.delayed.shift();
        if (item !== undefined) this.write(item.frame);
      }
      this.armDelay();
    }, Math.max(0, next.due - Date.now()));
  }

  private write(frame: Buffer): void {
    if (this.closed) return;
    this.delivered += 1;
    this.toOutbox(frame);
  }

  private toOutbox(frame: Buffer): void {
    this.outbox.push(frame);
    this.outboxBytes += frame.length;
    if (this.outboxBytes >= OUTBOX_FLUSH_BYTES) {
      this.flush();
    } else if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(this.flushOutbox);
    }
  }

  private flush(): void {
    if (this.outbox.length === 0 || this.closed) return;
    const chunk = this.outbox.length === 1 ? (this.outbox[0] as Buffer) : Buffer.concat(this.outbox, this.outboxBytes);
    this.outbox = [];
    this.outboxBytes = 0;
    if (!this.response.writableEnded) this.response.write(chunk);
  }
}
