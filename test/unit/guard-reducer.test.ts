import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SyncError } from "../../src/core/errors";
import { backoffDelay } from "../../src/core/guard/backoff";
import { INITIAL_GUARD_STATE, reduceGuard, type GuardEvent, type GuardState } from "../../src/core/guard/reducer";
import type { SyncStatus } from "../../src/core/state";

const RUNS = Number(process.env.PROPERTY_RUNS ?? 1000);
const failure = new SyncError("SYNC_TORII_ERROR", "page failed");

const STATES: Record<string, GuardState> = {
  idle: INITIAL_GUARD_STATE,
  replaying: { ...INITIAL_GUARD_STATE, status: "replaying", inFlight: true, replayAttempts: 0, replayProgress: { pages: 0, entities: 0 } },
  "replaying (last attempt)": { ...INITIAL_GUARD_STATE, status: "replaying", inFlight: true, replayAttempts: 2, replayProgress: { pages: 0, entities: 0 } },
  streaming: { ...INITIAL_GUARD_STATE, status: "streaming", connection: "open", replayAttempts: 0 },
  lagging: { ...INITIAL_GUARD_STATE, status: "lagging", connection: "open", replayAttempts: 1 },
  error: { ...INITIAL_GUARD_STATE, status: "error", replayAttempts: 3, lastError: failure, canHardReload: true },
  "error (forced retry running)": { ...INITIAL_GUARD_STATE, status: "error", inFlight: true, replayAttempts: 3, lastError: failure, canHardReload: true },
};

const EVENTS: Record<string, GuardEvent> = {
  replayStarted: { type: "replayStarted", reason: "gap", forced: false },
  "replayStarted (forced)": { type: "replayStarted", reason: "forced", forced: true },
  replayProgress: { type: "replayProgress", pages: 2, entities: 80 },
  replaySucceeded: { type: "replaySucceeded" },
  replayFailed: { type: "replayFailed", error: failure, maxAttempts: 3 },
  evidence: { type: "evidence", evidence: "server_ahead" },
  connection: { type: "connection", connection: "closed" },
  applied: { type: "applied", at: 123 },
  lag: { type: "lag", lagMs: 500 },
  cancelled: { type: "cancelled" },
};

// Expected status after each event, per state (same column order as EVENTS).
const EXPECTED: Record<string, SyncStatus[]> = {
  idle: ["replaying", "replaying", "idle", "idle", "idle", "idle", "idle", "idle", "idle", "idle"],
  replaying: ["replaying", "replaying", "replaying", "streaming", "lagging", "replaying", "replaying", "replaying", "replaying", "idle"],
  "replaying (last attempt)": ["replaying", "replaying", "replaying", "streaming", "error", "replaying", "replaying", "replaying", "replaying", "idle"],
  streaming: ["replaying", "replaying", "streaming", "streaming", "streaming", "lagging", "streaming", "streaming", "streaming", "idle"],
  lagging: ["replaying", "replaying", "lagging", "lagging", "lagging", "lagging", "lagging", "lagging", "lagging", "idle"],
  error: ["error", "error", "error", "error", "error", "error", "error", "error", "error", "idle"],
  "error (forced retry running)": ["error", "error", "error", "streaming", "error", "error", "error", "error", "error", "idle"],
};

describe("reduceGuard: every (state, event) pair", () => {
  const eventNames = Object.keys(EVENTS);
  for (const [stateName, state] of Object.entries(STATES)) {
    for (const [index, eventName] of eventNames.entries()) {
      const expected = EXPECTED[stateName]?.[index];
      it(`${stateName} + ${eventName} → ${expected}`, () => {
        const next = reduceGuard(state, EVENTS[eventName] as GuardEvent);
        expect(next.status).toBe(expected);
        expect(next.status === "streaming" && next.inFlight).toBe(false);
      });
    }
  }

  it("should start a forced retry from error without leaving error, and clear the hard-reload offer only on success", () => {
    const trying = reduceGuard(STATES.error as GuardState, EVENTS["replayStarted (forced)"] as GuardEvent);
    expect(trying).toMatchObject({ status: "error", inFlight: true, replayAttempts: 3, canHardReload: true });
    expect(reduceGuard(trying, EVENTS.replaySucceeded as GuardEvent)).toMatchObject({ status: "streaming", replayAttempts: 0, canHardReload: false, lastError: undefined });
  });

  it("should count failures only: boot gets the whole budget, the third failure in a row reaches error", () => {
    let state = reduceGuard(INITIAL_GUARD_STATE, EVENTS.replayStarted as GuardEvent);
    expect(state.replayAttempts).toBe(0);
    for (let failures = 1; failures < 3; failures += 1) {
      state = reduceGuard(state, EVENTS.replayFailed as GuardEvent);
      expect(state).toMatchObject({ status: "lagging", replayAttempts: failures });
      state = reduceGuard(state, EVENTS.replayStarted as GuardEvent);
    }
    expect(reduceGuard(state, EVENTS.replayFailed as GuardEvent)).toMatchObject({ status: "error", replayAttempts: 3, canHardReload: true, lastError: failure });
  });

  it("should give the whole budget back after a success, so any number of successful recoveries never reaches error", () => {
    let state = reduceGuard(INITIAL_GUARD_STATE, EVENTS.replayStarted as GuardEvent);
    for (let recovery = 0; recovery < 50; recovery += 1) {
      // Two failures, then a success: never three in a row.
      state = reduceGuard(state, EVENTS.replayFailed as GuardEvent);
      state = reduceGuard(state, EVENTS.replayStarted as GuardEvent);
      state = reduceGuard(state, EVENTS.replayFailed as GuardEvent);
      state = reduceGuard(state, EVENTS.replayStarted as GuardEvent);
      state = reduceGuard(state, EVENTS.replaySucceeded as GuardEvent);
      expect(state).toMatchObject({ status: "streaming", replayAttempts: 0 });
      state = reduceGuard(state, EVENTS.evidence as GuardEvent);
      state = reduceGuard(state, EVENTS.replayStarted as GuardEvent);
    }
    expect(state.status).toBe("replaying");
  });
});

describe("reduceGuard properties", () => {
  const eventArb = fc.constantFrom(...Object.values(EVENTS));

  it("should leave error only by a successful replay or a restart", () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 60 }), (events) => {
        let state = INITIAL_GUARD_STATE;
        for (const event of events) {
          const next = reduceGuard(state, event);
          if (state.status === "error" && next.status !== "error") {
            expect(event.type === "replaySucceeded" || event.type === "cancelled").toBe(true);
            if (event.type === "replaySucceeded") expect(state.inFlight).toBe(true);
          }
          state = next;
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("should never be streaming while a replay runs, and be replaying only while one runs", () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 60 }), (events) => {
        let state = INITIAL_GUARD_STATE;
        for (const event of events) {
          state = reduceGuard(state, event);
          expect(state.status === "streaming" && state.inFlight).toBe(false);
          if (state.status === "replaying") expect(state.inFlight).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe("backoffDelay", () => {
  it("should grow exponentially, cap, and spread by jitter", () => {
    expect([1, 2, 3, 4].map((attempt) => backoffDelay(attempt, {}, () => 0.5))).toEqual([1000, 2000, 4000, 8000]);
    expect(backoffDelay(20, {}, () => 0.5)).toBe(30_000);
    expect(backoffDelay(1, {}, () => 0)).toBe(800);
    expect(backoffDelay(1, {}, () => 1)).toBe(1200);
    expect(backoffDelay(20, {}, () => 1)).toBe(30_000);
  });
});
