import { DEFAULT_CHAOS } from "./chaos-config";
import type { ChaosConfig, StallMode } from "./chaos-config";
import type { PageFaults } from "./page-faults";
import type { StreamHub } from "./stream-hub";
import type { SubscriberInfo } from "./subscriber";

/** Programmatic faults of a running fake Torii. Everything random is seeded by `startFakeTorii({ seed })`. */
export interface ChaosControls {
  /** The global stream chaos in force. */
  readonly config: ChaosConfig;
  /** Changes stream chaos globally, or for one subscriber (overrides on top of the global settings). */
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
  /** The next `count` RetrieveEntities/RetrieveEventMessages calls fail with `status` (default 14 UNAVAILABLE). */
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

export function createChaos(initial: Partial<ChaosConfig>, hub: () => StreamHub, faults: PageFaults, destroyAllSockets: () => number): ChaosState {
  let global: ChaosConfig = { ...DEFAULT_CHAOS, ...initial };
  const overrides = new Map<bigint, Partial<ChaosConfig>>();
  const controls: ChaosControls = {
    get config() {
      return global;
    },
    set(config, options) {
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
