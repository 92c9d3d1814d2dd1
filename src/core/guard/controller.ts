import { SyncError } from "../errors";
import type { SyncEvent } from "../events";
import type { CoreLogger } from "../ports";
import type { SyncState } from "../state";
import { INITIAL_GUARD_STATE, publicState, reduceGuard, type Evidence, type GuardEvent, type GuardState } from "./reducer";

export interface GuardControllerHooks {
  readonly log: CoreLogger;
  /** The event stream: state changes, evidence and a spent budget are announced on it. */
  emit(event: SyncEvent): void;
  now(): number;
  /** The status became `streaming` (a replay succeeded). */
  onStreaming(): void;
  /** Any state change, after the state is updated. */
  onChange(state: SyncState, previous: SyncState): void;
  /** Start a replay for this evidence (none is running); `forced` as forceReplay() does (the one way out of `error`). */
  replay(reason: string, forced?: boolean): void;
  /** Whether a replay is running (or queued). */
  replaying(): boolean;
  isLive(): boolean;
}

/**
 * The guard's state and its side effects: the pure reducer decides, this applies (logs the transition, settles `ready`,
 * routes evidence to a replay, or remembers it for after the replay running now).
 */
export class GuardController {
  state: GuardState = INITIAL_GUARD_STATE;
  view: SyncState = publicState(INITIAL_GUARD_STATE);
  /** Resolves at the first consistent state; rejects if the budget is spent (or the pipeline cancelled) first. */
  readonly ready: Promise<void>;
  private resolveReady: () => void = () => undefined;
  private rejectReady: (error: SyncError) => void = () => undefined;
  private deferred: Evidence | undefined;
  /** Changes not yet told: a listener that dispatches (forceReplay from onStateChange) is told after, in order. */
  private readonly untold: Array<readonly [SyncState, SyncState]> = [];
  private telling = false;
  readonly evidenceCounts: Partial<Record<Evidence, number>>;

  constructor(
    private readonly hooks: GuardControllerHooks,
    evidenceCounts: Partial<Record<Evidence, number>>,
  ) {
    this.evidenceCounts = evidenceCounts;
    this.ready = new Promise<void>((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    // Nobody has to await `ready`: a failed boot is reported through the state, not as an unhandled rejection.
    this.ready.catch(() => undefined);
  }

  dispatch = (event: GuardEvent): GuardState => {
    const previousGuard = this.state;
    this.state = reduceGuard(previousGuard, event);
    if (this.state === previousGuard) return this.state;
    const previous = this.view;
    this.view = publicState(this.state);
    const { status } = this.state;
    if (status !== previousGuard.status) this.hooks.log.log("info", `${previousGuard.status} → ${status} (${this.state.reason})`);
    if (status === "streaming" && previousGuard.status !== "streaming") {
      this.resolveReady();
      this.hooks.onStreaming();
    }
    if (status === "error" && previousGuard.status !== "error") {
      const error = this.state.lastError ?? new SyncError("SYNC_REPLAY_BUDGET_SPENT", "The replay budget is spent.");
      this.rejectReady(error);
      this.hooks.emit({ type: "budget_spent", at: this.hooks.now(), attempts: this.state.replayAttempts, code: error.code });
    }
    if (status !== previousGuard.status || this.state.connection !== previousGuard.connection) {
      this.hooks.emit({ type: "state", at: this.hooks.now(), state: this.view, previous });
    }
    this.tell(this.view, previous);
    return this.state;
  };

  /**
   * Every listener hears every change in the order they happened, ending on the current state: a change made by a
   * listener while one is told (a forceReplay() from onStateChange) is told once the one before it has been.
   */
  private tell(state: SyncState, previous: SyncState): void {
    this.untold.push([state, previous]);
    if (this.telling) return;
    this.telling = true;
    try {
      for (let next = this.untold.shift(); next !== undefined; next = this.untold.shift()) this.hooks.onChange(next[0], next[1]);
    } finally {
      this.telling = false;
      this.untold.length = 0;
    }
  }

  /** Evidence that updates may have been missed: replay now, or once the replay running now has ended. */
  evidence(evidence: Evidence, detail: string): void {
    if (!this.hooks.isLive()) return;
    this.evidenceCounts[evidence] = (this.evidenceCounts[evidence] ?? 0) + 1;
    this.hooks.emit({ type: "evidence", at: this.hooks.now(), evidence, detail });
    if (this.state.inFlight || this.hooks.replaying()) {
      // The replay running now (or waiting to retry) may already have read past what was missed: run one more after it.
      this.deferred = evidence;
      return;
    }
    if (this.state.status === "error") {
      // The budget is spent, and nothing retries on a timer. But the network back, or the client reconnected to Torii,
      // say the cause may be gone: one attempt, as the user's "Try again" makes (a failure stays in `error`).
      if (evidence === "online" || evidence === "gap") this.hooks.replay(`${evidence}: ${detail}`, true);
      return;
    }
    this.dispatch({ type: "evidence", evidence, detail });
    this.hooks.replay(`${evidence}: ${detail}`);
  }

  /** Forget evidence that arrived during a replay: a replay that starts after it (a queued one) reads past it. */
  dropDeferred(): void {
    this.deferred = undefined;
  }

  /**
   * After a replay: the evidence that arrived during it, as the request for one more, if still relevant. A replay that
   * spent the budget left `error`: the network back or Torii reconnected during its last attempt (a page request still
   * hanging) gets the one forced attempt it gets when it arrives in `error`, or the game stayed there until "Try again".
   */
  takeDeferred(): { readonly reason: string; readonly forced: boolean } | undefined {
    const evidence = this.deferred;
    this.deferred = undefined;
    if (evidence === undefined || !this.hooks.isLive()) return undefined;
    const reason = `${evidence} during the last replay`;
    if (this.state.status === "error") return evidence === "online" || evidence === "gap" ? { reason, forced: true } : undefined;
    if (this.state.status !== "streaming") return undefined;
    this.dispatch({ type: "evidence", evidence, detail: reason });
    return { reason, forced: false };
  }

  cancel(): void {
    this.dispatch({ type: "cancelled" });
    this.rejectReady(new SyncError("SYNC_CANCELLED", "The pipeline was cancelled before its first consistent state."));
  }
}
