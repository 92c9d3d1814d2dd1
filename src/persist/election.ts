import { systemTimers, type Timers } from "../core/clock";
import type { Heartbeat, SyncChannel } from "./channel";
import type { Watermark } from "./layout";

/** The part of the Web Locks API the election uses (`navigator.locks`), injectable for tests. */
export type LockManagerLike = Pick<LockManager, "request">;

export type LeaderRole = "pending" | "leader" | "follower" | "closed";

export interface ElectionCounters {
  /** Times the leader this tab knows changed: it took or lost the lead, or heartbeats came from another tab. */
  leaderChanges: number;
  /** Times this tab took the lead (by queue or by steal). */
  terms: number;
  /** Times this tab stole the lock from a silent leader. */
  steals: number;
  /** Times the lock was stolen from this tab. */
  demotions: number;
}

export interface ElectionOptions {
  /** This tab now leads: subscribe to Torii, write the cache, publish, answer hellos. */
  onLead(): void;
  /** This tab now follows: stop all of the above, say hello, read the cache, apply the channel. */
  onFollow(): void;
  /** The lead was taken from this tab (it froze, and another tab stole the lock); `onFollow` comes right after. */
  onDemoted(): void;
  /**
   * The browser refused the lock (an opaque-origin iframe, storage blocked for the site) to a tab waiting for a role:
   * no one can agree on one writer, so the election ends (it closes itself) and the tab goes its own way. Without it,
   * the tab leads with no lock, beating on the channel.
   */
  onRefused?(): void;
  /** @default globalThis.navigator?.locks; `null` for none: then every tab leads. */
  readonly locks?: LockManagerLike | null;
  /** Where heartbeats go and come from; without it a frozen leader is never replaced (a closed one still is, at once). */
  readonly channel?: Pick<SyncChannel, "tabId" | "heartbeat" | "onHeartbeat">;
  /** The watermark a leader's heartbeats carry. */
  readonly watermark?: () => Watermark | undefined;
  /** Whether this page is hidden (its timers run late). @default document.visibilityState === "hidden" */
  readonly isHidden?: () => boolean;
  /**
   * Call `listener` when the page is shown or hidden; returns the unsubscribe. A leader beats at once then: the browser
   * slows a hidden page's timers right away, so the beat saying "hidden" would otherwise come late (up to a second, past
   * `freezeMs`) and a follower would take the lead from every leader the user switches away from.
   * @default the document's `visibilitychange` event
   */
  readonly onVisibilityChange?: (listener: () => void) => () => void;
  /** @default 250 */
  readonly heartbeatMs?: number;
  /** Silence after which a visible leader counts as frozen and is replaced (ms); a random delay of up to `heartbeatMs / 2` more keeps followers from stealing together. @default 750 */
  readonly freezeMs?: number;
  /**
   * The same for a leader whose last heartbeat said its page was hidden: browsers slow a hidden page's timers (to once
   * a second, then once a minute in Chrome), so a shorter wait would take the lead from every background leader. @default 65000
   */
  readonly hiddenFreezeMs?: number;
  /** @default systemTimers */
  readonly timers?: Timers;
  /** @default Math.random */
  readonly random?: () => number;
}

export interface LeaderElection {
  readonly role: LeaderRole;
  counters(): ElectionCounters;
  /** Leave the election; a leader's lock goes to the next tab at once. Idempotent. */
  close(): void;
}

/**
 * One writer across tabs: the tab holding the Web Lock `name` leads. The others queue for it, so when the leader's tab
 * closes (the browser releases its lock) the next one leads at once. A leader that freezes keeps its lock: followers
 * watch its heartbeats and, after `freezeMs` of silence, steal the lock; the frozen tab learns it on waking (its lock
 * request fails) and is demoted. Without Web Locks every tab leads.
 */
export function electLeader(name: string, options: ElectionOptions): LeaderElection {
  const locks = options.locks === undefined ? (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks : (options.locks ?? undefined);
  const timers = options.timers ?? systemTimers;
  const random = options.random ?? Math.random;
  const heartbeatMs = options.heartbeatMs ?? 250;
  const freezeMs = options.freezeMs ?? 750;
  const hiddenFreezeMs = options.hiddenFreezeMs ?? 65_000;
  const isHidden = options.isHidden ?? (() => (globalThis as { document?: { visibilityState?: string } }).document?.visibilityState === "hidden");
  const channel = options.channel;
  const counters: ElectionCounters = { leaderChanges: 0, terms: 0, steals: 0, demotions: 0 };
  let role: LeaderRole = "pending";
  let timer: unknown;
  let release: (() => void) | undefined;
  let queued: AbortController | undefined;
  let lastBeat = 0;
  let leaderHidden = false;
  let knownLeader: string | undefined;
  let patience = 0;

  // One repeating timer at a time: a chain stopped (or replaced) while its tick runs never re-arms.
  let chain = 0;
  const stopTimer = (): void => {
    chain += 1;
    if (timer !== undefined) timers.clearTimeout(timer);
    timer = undefined;
  };
  const every = (ms: number, tick: () => void): void => {
    stopTimer();
    const id = chain;
    const arm = (): void => {
      timer = timers.setTimeout(() => {
        if (id !== chain) return;
        tick();
        if (id === chain) arm();
      }, ms);
    };
    arm();
  };
  const beat = (): void => channel?.heartbeat(options.watermark?.(), isHidden());
  const stopWatchingVisibility = (options.onVisibilityChange ?? documentVisibility)(() => {
    if (role === "leader") beat();
  });

  /** The lock is ours until `release` or a steal: lead, and hold it by returning a promise that settles on release. */
  const lead = (): Promise<void> => {
    if (role === "closed") return Promise.resolve();
    stopTimer();
    role = "leader";
    counters.terms += 1;
    counters.leaderChanges += 1;
    knownLeader = channel?.tabId;
    beat();
    if (channel !== undefined) every(heartbeatMs, beat);
    // The hold exists before onLead runs: onLead may close the election at once (the tab's cache failed as it
    // opened), and close() must find it to release the lock.
    const hold = new Promise<void>((resolve) => {
      release = resolve;
    });
    options.onLead();
    return hold;
  };

  const follow = (): void => {
    if (role === "closed") return;
    role = "follower";
    lastBeat = timers.now();
    leaderHidden = false;
    patience = freezeMs + random() * (heartbeatMs / 2);
    queued = new AbortController();
    request({ signal: queued.signal });
    if (channel !== undefined) every(Math.max(1, heartbeatMs / 2), watch);
    options.onFollow();
  };

  /** A follower's check: steal from a leader silent for longer than it may be. */
  const watch = (): void => {
    if (role !== "follower") return;
    const silence = timers.now() - lastBeat;
    if (silence < (leaderHidden ? Math.max(hiddenFreezeMs, patience) : patience)) return;
    stopTimer();
    queued?.abort();
    queued = undefined;
    counters.steals += 1;
    role = "pending";
    request({ steal: true });
  };

  /** One lock request: granted → lead (or, asked only if available and it is not, follow); failing once held → stolen. */
  const request = (lockOptions: LockOptions): void => {
    let held = false;
    (locks as LockManagerLike)
      .request(name, lockOptions, (lock) => {
        if (lock === null) {
          follow();
          return undefined;
        }
        held = true;
        return lead();
      })
      .catch(() => {
        if (held) {
          if (role !== "closed") demote();
          return;
        }
        // A request we aborted ourselves (to steal, or closing) never held the lock: nothing to do. One the browser
        // refused (SecurityError: an opaque-origin iframe, storage blocked for the site) never will: without locks
        // there is no way to agree on one writer, so this tab syncs for itself, as where there are no Web Locks.
        // Only a tab still waiting for a role (its first request, or a steal): a follower stays one, and steals when
        // its leader goes quiet.
        if (lockOptions.signal?.aborted !== true && role === "pending") {
          if (options.onRefused === undefined) void lead();
          else {
            close();
            options.onRefused();
          }
        }
      });
  };

  /** The lock was stolen while this tab froze: stop leading, then queue again as a follower. */
  const demote = (): void => {
    stopTimer();
    release?.();
    release = undefined;
    counters.demotions += 1;
    counters.leaderChanges += 1;
    options.onDemoted();
    follow();
  };

  const unsubscribe = channel?.onHeartbeat((heartbeat: Heartbeat) => {
    if (role !== "follower") return;
    lastBeat = timers.now();
    leaderHidden = heartbeat.hidden;
    if (heartbeat.from !== knownLeader) {
      if (knownLeader !== undefined) counters.leaderChanges += 1;
      knownLeader = heartbeat.from;
    }
  });

  if (locks === undefined) {
    // No Web Locks (old browsers, some embedded views): no way to agree on one writer, so each tab syncs for itself.
    queueMicrotask(() => void lead());
  } else request({ ifAvailable: true });

  function close(): void {
    if (role === "closed") return;
    role = "closed";
    stopTimer();
    stopWatchingVisibility();
    unsubscribe?.();
    queued?.abort();
    queued = undefined;
    release?.();
    release = undefined;
  }

  return {
    get role() {
      return role;
    },
    counters: () => ({ ...counters }),
    close,
  };
}

/** The document's `visibilitychange` event, where there is a document. */
function documentVisibility(listener: () => void): () => void {
  const doc = (globalThis as { document?: Pick<Document, "addEventListener" | "removeEventListener"> }).document;
  if (doc?.addEventListener === undefined) return () => undefined;
  doc.addEventListener("visibilitychange", listener);
  return () => doc.removeEventListener("visibilitychange", listener);
}
