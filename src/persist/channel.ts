import { systemTimers, type Timers } from "../core/clock";
import type { AdmittedChange } from "../core/ports";
import { createListeners } from "../core/util/listeners";
import { isWatermark, type Watermark } from "./layout";
import { changesToMessages, type ScopedMessages } from "./messages";

/** A leader's sign of life, with its cache's watermark and whether its page is hidden (its timers then run late). */
export interface Heartbeat {
  readonly from: string;
  readonly watermark: Watermark | undefined;
  readonly hidden: boolean;
}

/** The leader's answer to a hello: its cache now holds everything it relayed before the hello arrived. */
export interface HelloAnswer {
  readonly from: string;
  readonly watermark: Watermark | undefined;
}

export interface SyncChannelOptions {
  /** @default globalThis.BroadcastChannel; `null` for none (the channel is then inert: `available` is false). */
  readonly BroadcastChannel?: typeof BroadcastChannel | null;
  /** This tab's id on the channel. @default a random id */
  readonly tabId?: string;
  /** @default systemTimers */
  readonly timers?: Timers;
}

/**
 * The tabs' protocol (one BroadcastChannel per persisted sync). Leader → followers: admitted changes as Torii entity
 * messages, heartbeats with the watermark. Follower → leader: hello, answered with `flushed` once the leader's cache
 * holds everything it relayed before the hello. A follower listens first, says hello, reads the cache after the answer,
 * then applies what it heard meanwhile: every change is either in the cache it reads or on the channel after it listened.
 */
export interface SyncChannel {
  readonly tabId: string;
  /** False without BroadcastChannel: nothing is sent or heard, and this tab should lead alone. */
  readonly available: boolean;
  /** Leader: relay admitted changes (call it after the cache writer's `note`, so a hello's flush covers them). */
  publish(changes: readonly AdmittedChange[]): void;
  /** Leader: say it is alive. */
  heartbeat(watermark: Watermark | undefined, hidden: boolean): void;
  /** Leader: answer every hello once `flushed()` resolves (the cache writer's flush, then its watermark). Returns the removal. */
  answerHellos(flushed: () => Promise<Watermark | undefined>): () => void;
  /**
   * Follower: ask the leader to flush; the answer, or undefined when no leader answered within `timeoutMs`. A leader
   * says at once that it is flushing; from then the wait lasts as long as it keeps beating (writing a cold cache of
   * 100,000 entities takes seconds): a follower that gave up after `timeoutMs` read a half-written cache, and what the
   * leader had admitted before the follower listened was never relayed again.
   */
  hello(timeoutMs?: number): Promise<HelloAnswer | undefined>;
  onChanges(listener: (batches: readonly ScopedMessages[], from: string) => void): () => void;
  onHeartbeat(listener: (beat: Heartbeat) => void): () => void;
  close(): void;
}

const PROTOCOL = 1;
/** How long a hello waits between two beats of a flushing leader whose page is hidden (its timers fire late). */
const HIDDEN_PATIENCE_MS = 65_000;
/** The longest a hello waits in all, however long its leader keeps beating. */
const MAX_HELLO_MS = 120_000;

type Wire =
  | { readonly v: 1; readonly t: "changes"; readonly from: string; readonly seq: number; readonly batches: ScopedMessages[] }
  | { readonly v: 1; readonly t: "beat"; readonly from: string; readonly watermark: Watermark | null; readonly hidden: boolean }
  | { readonly v: 1; readonly t: "hello"; readonly from: string; readonly id: string }
  | { readonly v: 1; readonly t: "flushing"; readonly from: string; readonly to: string; readonly id: string; readonly hidden?: boolean }
  | { readonly v: 1; readonly t: "flushed"; readonly from: string; readonly to: string; readonly id: string; readonly watermark: Watermark | null };

/** Open the channel `name` (use one name per persisted sync and schema: tabs on another schema must not hear it). */
export function createSyncChannel(name: string, options: SyncChannelOptions = {}): SyncChannel {
  const Channel = options.BroadcastChannel === undefined ? (globalThis as { BroadcastChannel?: typeof BroadcastChannel }).BroadcastChannel : (options.BroadcastChannel ?? undefined);
  const timers = options.timers ?? systemTimers;
  const tabId = options.tabId ?? randomId();
  const port = Channel === undefined ? undefined : new Channel(name);
  const changes = createListeners<[readonly ScopedMessages[], string]>();
  const beats = createListeners<[Heartbeat]>();
  /** Hellos waiting for their answer: settle it, or (re)start its deadline, told which leader is flushing for it. */
  const waiting = new Map<string, { settle(answer: HelloAnswer | undefined): void; flushing(leader: string, hidden: boolean): void; beat(from: string, hidden: boolean): void }>();
  /** Whether this tab's last heartbeat said its page is hidden: a "flushing" answer says so too. */
  let lastHidden = false;
  let answer: (() => Promise<Watermark | undefined>) | undefined;
  let seq = 0;
  let closed = false;

  const post = (message: Wire): void => {
    if (closed || port === undefined) return;
    try {
      port.postMessage(message);
    } catch {
      // A message the channel cannot clone is dropped: followers' audits and replays cover what they miss.
    }
  };

  const receive = (data: unknown): void => {
    if (!isWire(data) || data.from === tabId) return;
    switch (data.t) {
      case "changes":
        changes.emit(data.batches, data.from);
        break;
      case "beat":
        // A leader flushing for a hello is alive while it beats: the hello waits on (only one that took it).
        for (const hello of [...waiting.values()]) hello.beat(data.from, data.hidden);
        beats.emit({ from: data.from, watermark: isWatermark(data.watermark) ? data.watermark : undefined, hidden: data.hidden });
        break;
      case "hello": {
        const flushed = answer;
        if (flushed === undefined) break;
        post({ v: PROTOCOL, t: "flushing", from: tabId, to: data.from, id: data.id, hidden: lastHidden });
        flushed().then(
          (watermark) => post({ v: PROTOCOL, t: "flushed", from: tabId, to: data.from, id: data.id, watermark: watermark ?? null }),
          () => undefined,
        );
        break;
      }
      case "flushing":
        if (data.to === tabId) waiting.get(data.id)?.flushing(data.from, data.hidden === true);
        break;
      case "flushed":
        if (data.to === tabId) waiting.get(data.id)?.settle({ from: data.from, watermark: isWatermark(data.watermark) ? data.watermark : undefined });
        break;
    }
  };
  if (port !== undefined) port.onmessage = (event: MessageEvent) => receive(event.data);

  return {
    tabId,
    available: port !== undefined,
    publish(admitted) {
      if (admitted.length === 0 || port === undefined || closed) return;
      seq += 1;
      post({ v: PROTOCOL, t: "changes", from: tabId, seq, batches: changesToMessages(admitted) });
    },
    heartbeat(watermark, hidden) {
      lastHidden = hidden;
      post({ v: PROTOCOL, t: "beat", from: tabId, watermark: watermark ?? null, hidden });
    },
    answerHellos(flushed) {
      answer = flushed;
      // This tab leads now: its own hellos will get no answer (a follower promoted mid-boot must not wait them out).
      for (const hello of [...waiting.values()]) hello.settle(undefined);
      return () => {
        if (answer === flushed) answer = undefined;
      };
    },
    hello(timeoutMs = 2_000) {
      if (port === undefined || closed) return Promise.resolve(undefined);
      const id = randomId();
      return new Promise((resolve) => {
        let leader: string | undefined;
        let timer = timers.setTimeout(() => settle(undefined), timeoutMs);
        // However long a leader keeps beating, a flush that never ends (a storage request that hangs) must not hold
        // the follower for ever.
        const cap = timers.setTimeout(() => settle(undefined), MAX_HELLO_MS);
        const settle = (result: HelloAnswer | undefined): void => {
          if (!waiting.delete(id)) return;
          timers.clearTimeout(timer);
          timers.clearTimeout(cap);
          resolve(result);
        };
        const wait = (hidden: boolean): void => {
          timers.clearTimeout(timer);
          // A hidden leader's timers run late: its beats too.
          timer = timers.setTimeout(() => settle(undefined), hidden ? HIDDEN_PATIENCE_MS : timeoutMs);
        };
        // Only the tab that took the hello (it said "flushing") extends it, with its beats: another tab's beats say
        // nothing about this hello (it may have been a follower when the hello came, and dropped it).
        const flushing = (from: string, hidden: boolean): void => {
          if (leader !== undefined && from !== leader) return;
          leader = from;
          wait(hidden);
        };
        const beat = (from: string, hidden: boolean): void => {
          if (leader === from) wait(hidden);
        };
        waiting.set(id, { settle, flushing, beat });
        post({ v: PROTOCOL, t: "hello", from: tabId, id });
      });
    },
    onChanges: (listener) => changes.add(listener),
    onHeartbeat: (listener) => beats.add(listener),
    close() {
      if (closed) return;
      closed = true;
      port?.close();
      for (const hello of [...waiting.values()]) hello.settle(undefined);
      waiting.clear();
      changes.clear();
      beats.clear();
    },
  };
}

/** Any script of the origin can post on the channel: only well-formed messages of this protocol are heard. */
function isWire(data: unknown): data is Wire {
  if (data === null || typeof data !== "object") return false;
  const wire = data as { v?: unknown; t?: unknown; from?: unknown; batches?: unknown; id?: unknown; to?: unknown; hidden?: unknown };
  if (wire.v !== PROTOCOL || typeof wire.from !== "string") return false;
  switch (wire.t) {
    case "changes":
      return Array.isArray(wire.batches) && wire.batches.every((batch: { scope?: unknown; messages?: unknown }) => (batch?.scope === "entities" || batch?.scope === "events") && Array.isArray(batch.messages));
    case "beat":
      return typeof wire.hidden === "boolean";
    case "hello":
      return typeof wire.id === "string";
    case "flushing":
    case "flushed":
      return typeof wire.id === "string" && typeof wire.to === "string";
    default:
      return false;
  }
}

function randomId(): string {
  const crypto = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  return crypto?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}
