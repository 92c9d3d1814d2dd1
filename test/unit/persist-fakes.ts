// Fixtures for the persisted-sync tests: fake time per tab, a Web Locks fake, Torii values and admitted changes.
import { setImmediate as turn } from "node:timers/promises";
import type { Timers } from "../../src/core/clock";
import type { EntityId } from "../../src/core/entity-id";
import type { AdmittedChange } from "../../src/core/ports";
import type { LedgerScope, ToriiValue } from "../../src/core/types";
import type { LockManagerLike } from "../../src/persist/election";

/** A padded entity id from a small number. */
export const id = (n: number): EntityId => `0x${n.toString(16).padStart(64, "0")}` as EntityId;

export const u32 = (value: number): ToriiValue => ({ type: "primitive", type_name: "u32", value, key: false });

/** A write of some members, each `[value, executedAt]`. */
export function write(entity: number, model: string, members: Record<string, [number, number]>, scope: LedgerScope = "entities"): AdmittedChange {
  const names = Object.keys(members);
  return {
    kind: "write",
    scope,
    entityId: id(entity),
    model,
    members: names,
    values: names.map((name) => u32((members[name] as [number, number])[0])),
    ats: names.map((name) => (members[name] as [number, number])[1]),
  };
}

export const deleteModel = (entity: number, model: string, at: number, scope: LedgerScope = "entities"): AdmittedChange => ({ kind: "delete_model", scope, entityId: id(entity), model, at });
export const deleteEntity = (entity: number, at: number, scope: LedgerScope = "entities"): AdmittedChange => ({ kind: "delete_entity", scope, entityId: id(entity), at });

/** Let IndexedDB (fake-indexeddb schedules on setImmediate) and BroadcastChannel deliver: event-loop turns, never a sleep. */
export async function until(condition: () => boolean, turns = 2_000): Promise<void> {
  for (let i = 0; i < turns; i += 1) {
    if (condition()) return;
    await turn();
  }
  throw new Error("condition not met after the event loop went idle");
}

export async function turns(count = 20): Promise<void> {
  for (let i = 0; i < count; i += 1) await turn();
}

export interface TabTimers extends Timers {
  /** A frozen tab runs none of its timers (they fire late, on thaw). */
  freeze(): void;
  thaw(): void;
}

/**
 * Wall time shared by every tab of a test, moved by `advance` only. `step`: how far each `monotonic()` read moves the
 * slice clock (a stand-in for work taking time, so slicing is deterministic). `defer` is a real event-loop turn.
 */
export function createFakeTime(start = 1_700_000_000_000, step = 0) {
  let now = start;
  let work = 0;
  let seq = 0;
  const timers = new Map<number, { at: number; run: () => void; tab: { frozen: boolean } }>();
  const tab = (): TabTimers => {
    const state = { frozen: false };
    return {
      setTimeout(callback, ms) {
        seq += 1;
        timers.set(seq, { at: now + ms, run: callback, tab: state });
        return seq;
      },
      clearTimeout: (handle) => void timers.delete(handle as number),
      now: () => now,
      monotonic: () => (work += step),
      defer: (callback) => void turn().then(callback),
      freeze: () => void (state.frozen = true),
      thaw: () => void (state.frozen = false),
    };
  };
  /** Move the clock by `ms`, firing due timers of unfrozen tabs in order. */
  const advance = (ms: number): void => {
    const target = now + ms;
    for (;;) {
      let next: [number, { at: number; run: () => void; tab: { frozen: boolean } }] | undefined;
      for (const entry of timers) if (entry[1].at <= target && !entry[1].tab.frozen && (next === undefined || entry[1].at < next[1].at)) next = entry;
      if (next === undefined) break;
      timers.delete(next[0]);
      now = Math.max(now, next[1].at);
      next[1].run();
    }
    now = target;
  };
  return { tab, advance, now: () => now, pending: () => timers.size };
}

interface LockRequest {
  readonly callback: (lock: Lock | null) => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (reason: unknown) => void;
}

/**
 * The Web Locks API for one name-space, as the spec has it for exclusive locks: a FIFO queue, `ifAvailable`, `steal`
 * (the holder's request rejects with AbortError), `signal` (a queued request leaves the queue), callbacks granted
 * asynchronously, the lock held until the callback's promise settles.
 */
export class FakeLockManager implements LockManagerLike {
  private readonly holders = new Map<string, LockRequest>();
  private readonly queues = new Map<string, LockRequest[]>();

  request<T>(name: string, callback: LockGrantedCallback<T>): Promise<T>;
  request<T>(name: string, options: LockOptions, callback: LockGrantedCallback<T>): Promise<T>;
  request<T>(name: string, second: LockOptions | LockGrantedCallback<T>, third?: LockGrantedCallback<T>): Promise<T> {
    const options = typeof second === "function" ? {} : second;
    const callback = (typeof second === "function" ? second : third) as (lock: Lock | null) => unknown;
    return new Promise<T>((resolve, reject) => {
      const request: LockRequest = { callback, resolve: resolve as (value: unknown) => void, reject };
      const queue = this.queue(name);
      if (options.steal === true) {
        const holder = this.holders.get(name);
        this.holders.delete(name);
        holder?.reject(new DOMException("The lock was stolen.", "AbortError"));
        this.grant(name, request);
        return;
      }
      if (options.ifAvailable === true && (this.holders.has(name) || queue.length > 0)) {
        queueMicrotask(() => Promise.resolve(callback(null) as T).then(resolve, reject));
        return;
      }
      const signal = options.signal;
      if (signal !== undefined) {
        if (signal.aborted) return reject(new DOMException("Aborted.", "AbortError"));
        signal.addEventListener("abort", () => {
          const at = queue.indexOf(request);
          if (at < 0) return;
          queue.splice(at, 1);
          reject(new DOMException("Aborted.", "AbortError"));
        });
      }
      if (!this.holders.has(name) && queue.length === 0) this.grant(name, request);
      else queue.push(request);
    });
  }

  /** What the browser does when a tab dies: its lock is released and its request never settles. */
  dropHolder(name: string): void {
    this.holders.delete(name);
    this.next(name);
  }

  held(name: string): boolean {
    return this.holders.has(name);
  }

  waiting(name: string): number {
    return this.queue(name).length;
  }

  private grant(name: string, request: LockRequest): void {
    this.holders.set(name, request);
    queueMicrotask(() => {
      Promise.resolve()
        .then(() => request.callback({ name, mode: "exclusive" } as Lock))
        .then(request.resolve, request.reject)
        .finally(() => {
          if (this.holders.get(name) !== request) return;
          this.holders.delete(name);
          this.next(name);
        });
    });
  }

  private next(name: string): void {
    const request = this.queue(name).shift();
    if (request !== undefined) this.grant(name, request);
  }

  private queue(name: string): LockRequest[] {
    let queue = this.queues.get(name);
    if (queue === undefined) {
      queue = [];
      this.queues.set(name, queue);
    }
    return queue;
  }
}
