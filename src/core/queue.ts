import type { Timers } from "./clock";
import { systemTimers } from "./clock";
import type { EntityId } from "./entity-id";
import type { DropRecorder } from "./drops";
import type { LedgerScope, ModelTag, ToriiValue } from "./types";
import { mergeMember, type PendingEntity, type PendingModel, type VersionedChange } from "./pending";
import type { Version } from "./version";

export type { PendingEntity, PendingMember, PendingModel, VersionedChange } from "./pending";

export interface UpdateQueueConfig {
  /**
   * Entities pending at once before the backlog is dropped and an `overflow` asks for a resync. Compaction keeps one
   * item per entity, so this bounds memory by entity count, whatever the update rate.
   * @default 100_000
   */
  readonly highWaterMark: number;
  /** Wait after the first enqueue before draining, so a burst is compacted before it is applied. @default 50 */
  readonly debounceMs: number;
  /** Longest a drain runs before it yields to the event loop. @default 8 */
  readonly sliceBudgetMs: number;
}

const DRAIN_CHUNK = 256;

export const QUEUE_DEFAULTS: UpdateQueueConfig = { highWaterMark: 100_000, debounceMs: 50, sliceBudgetMs: 8 };

export interface QueueCounters {
  /** Changes merged into an item already pending. */
  compacted: number;
  overflows: number;
  highWater: number;
}

export interface UpdateQueueOptions {
  readonly config?: Partial<UpdateQueueConfig>;
  readonly timers?: Timers;
  /** Applies one slice of items; called from the drain. */
  readonly apply: (items: PendingEntity[]) => void;
  /** The backlog was dropped: the caller must resync. */
  readonly onOverflow?: (dropped: number) => void;
  /** Where changes older than one already pending (`superseded`) and an overflowed backlog (`overflow`) are counted. */
  readonly drops: DropRecorder;
}

/**
 * Compacts per entity on enqueue (partial members merge, newer replaces older, a delete replaces anything older), so
 * the queue never holds more than one item per entity; drains on a short debounce in time slices.
 */
export class UpdateQueue {
  readonly config: UpdateQueueConfig;
  readonly counters: QueueCounters = { compacted: 0, overflows: 0, highWater: 0 };
  private readonly drops: DropRecorder;
  private readonly timers: Timers;
  private readonly apply: (items: PendingEntity[]) => void;
  private readonly onOverflow: ((dropped: number) => void) | undefined;
  private pending = new Map<string, PendingEntity>();
  private timer: unknown = undefined;
  private draining: Promise<void> | undefined;
  private paused = false;
  private closed = false;

  constructor(options: UpdateQueueOptions) {
    this.config = { ...QUEUE_DEFAULTS, ...options.config };
    this.timers = options.timers ?? systemTimers;
    this.apply = options.apply;
    this.onOverflow = options.onOverflow;
    this.drops = options.drops;
  }

  get size(): number {
    return this.pending.size;
  }

  /** Merge changes for one entity into its pending item. Returns false once the queue is closed. */
  enqueue(entityId: EntityId, scope: LedgerScope, executedAt: number, changes: readonly VersionedChange[]): boolean {
    const item = this.itemFor(entityId, scope, executedAt);
    if (item === undefined) return false;
    for (const change of changes) this.merge(item, change);
    this.schedule();
    return true;
  }

  /**
   * The pending item of an entity, created if needed (past the high-water mark the backlog goes first). For callers
   * that merge into it directly (`mergeWrite`, `mergeModelDelete`, `mergeEntityDelete`), then call `schedule()`.
   */
  itemFor(entityId: EntityId, scope: LedgerScope, executedAt: number): PendingEntity | undefined {
    if (this.closed) return undefined;
    const key = scope === "entities" ? entityId : `events:${entityId}`;
    let item = this.pending.get(key);
    if (item === undefined) {
      // Past the mark the backlog goes and a resync is asked for; the update that tipped it over is still kept.
      if (this.pending.size >= this.config.highWaterMark) this.overflow();
      item = { key, entityId, scope, executedAt, entityDeleteAt: undefined, models: new Map() };
      this.pending.set(key, item);
      if (this.pending.size > this.counters.highWater) this.counters.highWater = this.pending.size;
    } else {
      this.counters.compacted += 1;
      if (executedAt > item.executedAt) item.executedAt = executedAt;
    }
    return item;
  }

  /** Merge an item taken from another queue (the boot buffer) behind what is pending here. */
  absorb(item: PendingEntity): boolean {
    const changes: VersionedChange[] = [];
    if (item.entityDeleteAt !== undefined) changes.push({ kind: "deleteEntity", version: item.entityDeleteAt });
    for (const [model, pending] of item.models) {
      if (pending.deleteAt !== undefined) changes.push({ kind: "deleteModel", model, version: pending.deleteAt });
      const byClock = new Map<string, { version: Version; at: Version; members: Map<string, ToriiValue> }>();
      for (const [member, { value, version, at }] of pending.members) {
        const key = `${version}|${at}`;
        let group = byClock.get(key);
        if (group === undefined) byClock.set(key, (group = { version, at, members: new Map() }));
        group.members.set(member, value);
      }
      for (const { version, at, members } of byClock.values()) changes.push({ kind: "write", model, version, at, members });
    }
    return this.enqueue(item.entityId, item.scope, item.executedAt, changes);
  }

  /** Hold items without draining (the boot buffer); `resume()` releases them. */
  pause(): void {
    this.paused = true;
    this.cancelTimer();
  }

  resume(): void {
    this.paused = false;
    this.schedule();
  }

  /** Drain everything now, in time slices; resolves when the queue is empty. */
  flush(): Promise<void> {
    this.cancelTimer();
    if (this.draining === undefined) {
      this.draining = this.drain().finally(() => {
        this.draining = undefined;
        // Here, not inside drain(): an enqueue between the last slice and this point must still start a timer.
        this.schedule();
      });
    }
    return this.draining;
  }

  /** Drop everything pending without applying it. */
  clear(): number {
    const dropped = this.pending.size;
    this.pending = new Map();
    return dropped;
  }

  /** Take all pending items out (to move a boot buffer behind a snapshot). */
  takeAll(): PendingEntity[] {
    const items = [...this.pending.values()];
    this.pending = new Map();
    return items;
  }

  close(): void {
    this.closed = true;
    this.cancelTimer();
    this.pending = new Map();
  }

  private overflow(): void {
    const dropped = this.clear();
    this.counters.overflows += 1;
    this.drops.drop("overflow", dropped);
    this.onOverflow?.(dropped);
  }

  private merge(item: PendingEntity, change: VersionedChange): void {
    if (change.kind === "deleteEntity") this.mergeEntityDelete(item, change.version);
    else if (change.kind === "deleteModel") this.mergeModelDelete(item, change.model, change.version);
    else this.mergeWrite(item, change.model, change.version, change.at ?? change.version, change.members);
  }

  mergeEntityDelete(item: PendingEntity, version: Version): void {
    if (item.entityDeleteAt !== undefined && version < item.entityDeleteAt) {
      this.drops.drop("superseded");
      return;
    }
    item.entityDeleteAt = version;
    // Ties go to the later arrival: pending changes no newer than the delete would be wiped by it anyway.
    for (const [model, pending] of item.models) {
      if (pending.deleteAt !== undefined && pending.deleteAt <= version) pending.deleteAt = undefined;
      for (const [member, write] of pending.members) if (write.at <= version) pending.members.delete(member);
      if (pending.deleteAt === undefined && pending.members.size === 0) item.models.delete(model);
    }
  }

  mergeModelDelete(item: PendingEntity, model: ModelTag, version: Version): void {
    const pending = this.pendingModel(item, model, version);
    if (pending === undefined) return;
    if (pending.deleteAt !== undefined && version < pending.deleteAt) {
      this.drops.drop("superseded");
      return;
    }
    pending.deleteAt = version;
    for (const [member, write] of pending.members) if (write.at <= version) pending.members.delete(member);
  }

  /**
   * Merge member values, newest per member wins. `members` is a Map or a plain object whose own keys were checked by
   * the caller (the stream path merges the client's object as it is, without copying it).
   */
  mergeWrite(item: PendingEntity, model: ModelTag, version: Version, at: Version, members: ReadonlyMap<string, ToriiValue> | Readonly<Record<string, unknown>>): void {
    const pending = this.pendingModel(item, model, at);
    if (pending === undefined) return;
    // Deletes are block times: a write competes with them by its block time.
    if (pending.deleteAt !== undefined && at < pending.deleteAt) {
      this.drops.drop("superseded");
      return;
    }
    const queued = pending.members;
    let superseded = false;
    if (members instanceof Map) {
      for (const [member, value] of members) superseded = mergeMember(queued, member, value as ToriiValue, version, at) || superseded;
    } else {
      for (const member in members) {
        if (Object.hasOwn(members, member)) superseded = mergeMember(queued, member, (members as Record<string, unknown>)[member] as ToriiValue, version, at) || superseded;
      }
    }
    // Counted once per change, like the ledger's drops: a metric of updates, not of fields.
    if (superseded) this.drops.drop("superseded");
  }

  /** The pending record of a model; `undefined` (superseded) when a pending entity delete is newer than block time `at`. */
  private pendingModel(item: PendingEntity, model: ModelTag, at: Version): PendingModel | undefined {
    if (item.entityDeleteAt !== undefined && at < item.entityDeleteAt) {
      this.drops.drop("superseded");
      return undefined;
    }
    let pending = item.models.get(model);
    if (pending === undefined) {
      pending = { deleteAt: undefined, members: new Map() };
      item.models.set(model, pending);
    }
    return pending;
  }

  /** Start the debounce if it is not running (after direct merges). */
  schedule(): void {
    if (this.paused || this.closed || this.timer !== undefined || this.draining !== undefined || this.pending.size === 0) return;
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.config.debounceMs);
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) {
      this.timers.clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  private async drain(): Promise<void> {
    while (this.pending.size > 0 && !this.closed) {
      const started = this.timers.now();
      // Apply in chunks of 256 items, in arrival order, until the slice budget is spent; then let the event loop run.
      while (this.pending.size > 0 && !this.closed) {
        const chunk: PendingEntity[] = [];
        for (const [key, item] of this.pending) {
          this.pending.delete(key);
          chunk.push(item);
          if (chunk.length === DRAIN_CHUNK) break;
        }
        this.apply(chunk);
        if (this.timers.now() - started >= this.config.sliceBudgetMs) break;
      }
      if (this.pending.size > 0) await this.yieldToEventLoop();
    }
  }

  private yieldToEventLoop(): Promise<void> {
    return new Promise((resolve) => {
      if (this.timers.defer !== undefined) this.timers.defer(resolve);
      else this.timers.setTimeout(resolve, 0);
    });
  }
}
