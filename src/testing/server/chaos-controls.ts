import { FakeToriiError } from "../errors";
import { DEFAULT_CHAOS } from "./chaos-config";
import type { ChaosConfig, StallMode } from "./chaos-config";
import type { PageFaults } from "./page-faults";
import type { StreamHub } from "./stream-hub";
import type { SubscriberInfo } from "./subscriber";

/** Programmatic faults of a running fake Torii. Everything random is seeded by `startFakeTorii({ seed })`. */
export interface ChaosControls {
  /** The global stream chaos in force. */
  readonly config: ChaosConfig;
  /**
   * Changes stream chaos globally, or for one subscriber (overrides on top of the global settings). Throws
   * FAKE_TORII_BAD_OPTION, changing nothing, for a value out of range (see `ChaosConfig`).
   */
  set(config: Partial<ChaosConfig>, options?: { readonly subscriptionId?: bigint | undefined }): void;
  /** Back to no chaos: defaults, no overrides, no stall, no queued page faults. */
  reset(): void;
  /**
   * Keeps streams open but silent. `mode: "hold"` (default) keeps new messages and sends them on `resume()`, unless more
   * than `maxPendingMessages` pile up: then the subscriber is disconnected and they are lost. `mode: "drop"` loses them.
   * Without `subscriptionId` it applies to every current and future subscriber until `resume()`. A new stream still gets
   * its first message (the subscription id), so the client's subscribe promise settles on a stalled server.
   */
  stall(options?: { readonly subscriptionId?: bigint | undefined; readonly mode?: StallMode | undefined }): void;
  resume(options?: { readonly subscriptionId?: bigint | undefined }): void;
  /**
   * Destroys the sockets under every open stream (or every socket with `allSockets`). The wasm client reconnects by
   * itself about 1 s later and then calls back once with an all-zero entity. Returns how many were destroyed.
   */
  breakConnections(options?: { readonly allSockets?: boolean | undefined }): number;
  /**
   * The next `count` RetrieveEntities/RetrieveEventMessages calls fail with `status` (default 14 UNAVAILABLE), also
   * across `restart()`; a new call replaces the count, `reset()` clears it.
   */
  failNextPages(count: number, options?: { readonly status?: number | undefined; readonly message?: string | undefined }): void;
  /** The next `count` Retrieve* calls answer `ms` later (the page is computed when it is sent). */
  slowNextPages(count: number, ms: number): void;
  /** Per-subscriber counters: pending, delivered, dropped, duplicated, stalled. */
  subscribers(): SubscriberInfo[];
}

export interface ChaosState {
  readonly controls: ChaosControls;
  configFor(subscriptionId: bigint): ChaosConfig;
}

type ChaosRule = "duration" | "probability" | "count";

const RULES: { readonly [K in keyof ChaosConfig]: ChaosRule } = {
  delayMs: "duration",
  jitterMs: "duration",
  reorderWindow: "count",
  reorderFlushMs: "duration",
  duplicateProbability: "probability",
  dropProbability: "probability",
  maxPendingMessages: "count",
};

const EXPECTED: Readonly<Record<ChaosRule, string>> = {
  duration: "a finite number of ms >= 0",
  probability: "a number in [0, 1]",
  count: "an integer >= 0",
};

function fits(rule: ChaosRule, value: unknown): boolean {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) return false;
  return rule === "duration" || (rule === "probability" ? value <= 1 : Number.isInteger(value));
}

/**
 * A bad value would not fail loudly later: a NaN delay schedules every message at NaN and none is ever written, so
 * the test under chaos sees a silent stream and blames the client. Refuse it where it is given, naming the field.
 */
function checkChaos(config: Partial<ChaosConfig>, where: string): void {
  for (const [field, value] of Object.entries(config)) {
    const rule = (RULES as Readonly<Record<string, ChaosRule>>)[field];
    if (rule === undefined) {
      throw new FakeToriiError("FAKE_TORII_BAD_OPTION", `${where}: unknown chaos option ${JSON.stringify(field)} (known: ${Object.keys(RULES).join(", ")})`);
    }
    if (!fits(rule, value)) {
      const shown = typeof value === "string" ? JSON.stringify(value) : String(value);
      throw new FakeToriiError("FAKE_TORII_BAD_OPTION", `${where}: chaos ${field} must be ${EXPECTED[rule]}, got ${shown}`);
    }
  }
}

export function createChaos(initial: Partial<ChaosConfig>, hub: () => StreamHub, faults: PageFaults, destroyAllSockets: () => number): ChaosState {
  checkChaos(initial, "startFakeTorii({ chaos })");
  let global: ChaosConfig = { ...DEFAULT_CHAOS, ...initial };
  const overrides = new Map<bigint, Partial<ChaosConfig>>();
  const controls: ChaosControls = {
    get config() {
      return global;
    },
    set(config, options) {
      checkChaos(config, "chaos.set");
      if (options?.subscriptionId === undefined) global = { ...global, ...config };
      else overrides.set(options.subscriptionId, { ...overrides.get(options.subscriptionId), ...config });
    },
    reset() {
      global = { ...DEFAULT_CHAOS };
      overrides.clear();
      faults.reset();
      hub().resume();
    },
    stall(options) {
      hub().stall(options?.mode ?? "hold", options?.subscriptionId);
    },
    resume(options) {
      hub().resume(options?.subscriptionId);
    },
    breakConnections(options) {
      return options?.allSockets === true ? destroyAllSockets() : hub().breakStreams();
    },
    failNextPages(count, options) {
      faults.failNext(count, options?.status, options?.message);
    },
    slowNextPages(count, ms) {
      faults.slowNext(count, ms);
    },
    subscribers() {
      return hub().infos();
    },
  };
  return {
    controls,
    configFor: (id) => {
      const own = overrides.get(id);
      return own === undefined ? global : { ...global, ...own };
    },
  };
}
