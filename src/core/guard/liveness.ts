import type { Timers } from "../clock";
import { SyncError } from "../errors";
import type { PageEnvironment } from "./environment";
import type { ProbeOutcome } from "../events";
import type { Evidence } from "./reducer";

export interface LivenessConfig {
  /** Silence after which the server is probed. @default 30_000 */
  readonly heartbeatTimeoutMs: number;
  /** How often silence is checked. @default 5_000 */
  readonly heartbeatCheckIntervalMs: number;
  /** A probe that takes longer is evidence (the guard's `probeTimeoutMs`, by default min(check interval, timeout / 3)). */
  readonly probeTimeoutMs: number;
}

/**
 * What a probe saw. `healthy`: the server answered and is not ahead of the ledger. `ahead`: the server has newer data
 * than the client applied. `blind`: the server answered, but the probe cannot tell whether updates were missed.
 * `partial`: nothing wrong in the part of the scope looked at; probe again at the next check while the silence lasts.
 */
export type ProbeVerdict =
  | { readonly kind: "healthy"; readonly lagMs: number }
  | { readonly kind: "ahead"; readonly lagMs: number; readonly detail: string }
  | { readonly kind: "partial" }
  | { readonly kind: "blind" };

export interface LivenessHooks {
  /** Probing makes sense only while streaming with no replay running. */
  canProbe(): boolean;
  /** `reason` is "silence" for the heartbeat, something else for a probe that must vouch for the whole scope. */
  probe(reason: string): Promise<ProbeVerdict>;
  onEvidence(evidence: Evidence, detail?: string): void;
  onLag(lagMs: number): void;
  /** Every probe, for metrics and tests. */
  onProbe?(reason: string): void;
  /** What each probe concluded (or that it failed or timed out). */
  onOutcome?(reason: string, outcome: ProbeOutcome, detail?: string): void;
  /**
   * Whether an audit can run: while the stream flows, once per `heartbeatTimeoutMs`, the guard asks the probe
   * (reason "audit") whether writes the server held one interval ago all reached the client.
   */
  canAudit?(): boolean;
}

/**
 * Silence is normal in a quiet world, so silence only starts a probe; evidence (a failed or hanging probe, a server
 * ahead of the ledger, the network back, a long-hidden tab the probe cannot vouch for) is what moves the guard.
 */
export class LivenessMonitor {
  private lastProgressAt: number;
  /** Whether a stream message arrived since the last check. */
  private messageNoted = false;
  private hiddenAt: number | undefined;
  private timer: unknown;
  private deadline: unknown;
  private probing = false;
  /** A probe asked for while one was in flight, with a verdict of its own to give (a tab back from a sleep). */
  private waiting: { readonly reason: string; readonly onBlind: () => void } | undefined;
  private running = false;
  private lastAuditAt: number;
  private detach: Array<() => void> = [];

  constructor(
    private readonly config: LivenessConfig,
    private readonly timers: Timers,
    private readonly environment: PageEnvironment,
    private readonly hooks: LivenessHooks,
  ) {
    this.lastProgressAt = timers.now();
    this.lastAuditAt = this.lastProgressAt;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.lastProgressAt = this.timers.now();
    this.messageNoted = false;
    this.detach = [
      this.environment.onVisibilityChange((hidden) => this.onVisibility(hidden)),
      this.environment.onOnline(() => this.hooks.onEvidence("online", "the browser is online again")),
    ];
    this.schedule();
  }

  stop(): void {
    this.running = false;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    if (this.deadline !== undefined) this.timers.clearTimeout(this.deadline);
    this.deadline = undefined;
    this.probing = false;
    this.waiting = undefined;
    for (const detach of this.detach) detach();
    this.detach = [];
  }

  /** A replay finished or a probe answered: the silence clock restarts now. */
  noteProgress(): void {
    this.lastProgressAt = this.timers.now();
  }

  /**
   * The stream delivered a message: noted, not timed (a burst is hundreds of thousands of them). The next check counts
   * the silence from itself, so a stall is probed at most one check later than if every message were timed, and never
   * earlier: however far apart the checks are (a hidden tab's throttled timers), a stream that flows is never probed.
   */
  noteMessage(): void {
    this.messageNoted = true;
  }

  /** Probe now, whatever the silence (e.g. the tab came back). */
  probeNow(reason: string, onBlind?: () => void): void {
    if (!this.running || !this.hooks.canProbe()) return;
    if (this.probing) {
      // The probe in flight (a rotating page) may not vouch for what this one asks: it runs when that one settles.
      if (onBlind !== undefined) this.waiting = { reason, onBlind };
      return;
    }
    this.probing = true;
    this.hooks.onProbe?.(reason);
    let settled = false;
    this.deadline = this.timers.setTimeout(() => {
      this.deadline = undefined;
      if (settled) return;
      settled = true;
      this.probing = false;
      if (!this.running) return;
      this.hooks.onOutcome?.(reason, "timeout");
      this.hooks.onEvidence("probe_timeout", `no answer within ${this.config.probeTimeoutMs} ms`);
      this.probeWaiting();
    }, this.config.probeTimeoutMs);
    const finish = (action: () => void): void => {
      if (settled) return;
      settled = true;
      this.probing = false;
      if (this.deadline !== undefined) this.timers.clearTimeout(this.deadline);
      this.deadline = undefined;
      if (this.running) action();
      this.probeWaiting();
    };
    let probe: Promise<ProbeVerdict>;
    try {
      probe = this.hooks.probe(reason);
    } catch (error) {
      probe = Promise.reject(error);
    }
    probe.then(
      (verdict) =>
        finish(() => {
          this.hooks.onOutcome?.(reason, verdict.kind, verdict.kind === "ahead" ? verdict.detail : undefined);
          if (verdict.kind === "ahead") {
            this.hooks.onLag(verdict.lagMs);
            this.hooks.onEvidence("server_ahead", verdict.detail);
            return;
          }
          // A partial look leaves the silence as it was, so the next check probes the next part of the scope; an audit
          // runs while the stream flows and says nothing about silence.
          if (verdict.kind !== "partial" && reason !== "audit") this.noteProgress();
          if (verdict.kind === "healthy") this.hooks.onLag(verdict.lagMs);
          else if (verdict.kind === "blind") onBlind?.();
        }),
      (error: unknown) =>
        finish(() => {
          const detail = error instanceof SyncError ? error.message : String(error);
          this.hooks.onOutcome?.(reason, "failed", detail);
          this.hooks.onEvidence("probe_failed", detail);
        }),
    );
  }

  private probeWaiting(): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    if (waiting !== undefined) this.probeNow(waiting.reason, waiting.onBlind);
  }

  private onVisibility(hidden: boolean): void {
    const now = this.timers.now();
    if (hidden) {
      this.hiddenAt ??= now;
      return;
    }
    const hiddenFor = this.hiddenAt === undefined ? 0 : now - this.hiddenAt;
    this.hiddenAt = undefined;
    if (hiddenFor <= this.config.heartbeatTimeoutMs) return;
    // A probe that cannot see missed updates cannot vouch for a tab that slept: then the long absence is the evidence.
    this.probeNow("visible after hidden", () => this.hooks.onEvidence("visible_after_hidden", `hidden for ${Math.round(hiddenFor / 1000)} s`));
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      const now = this.timers.now();
      if (this.messageNoted) this.lastProgressAt = now;
      this.messageNoted = false;
      if (now - this.lastProgressAt >= this.config.heartbeatTimeoutMs) {
        // The silence probe reads the same watermark an audit would: in a quiet world, one read per period.
        this.lastAuditAt = now;
        this.probeNow("silence");
      } else if (now - this.lastAuditAt >= this.config.heartbeatTimeoutMs && this.hooks.canAudit?.() === true) {
        this.lastAuditAt = now;
        this.probeNow("audit");
      }
      this.schedule();
    }, this.config.heartbeatCheckIntervalMs);
  }
}
