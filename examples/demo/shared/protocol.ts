/** The demo's control API (JSON over HTTP on 127.0.0.1, served by the demo server), shared by the server and the page. */

/** `GET /api/config`: what the page needs to connect, the way a game reads its Torii URL from its environment. */
export interface DemoConfig {
  readonly toriiUrl: string;
  readonly worldAddress: string;
  /** Side of the square map (tiles per side). */
  readonly mapSize: number;
  /** How often the simulated chain produces blocks, ms. */
  readonly tickMs: number;
}

/**
 * `GET /api/truth`: every entity-model the fake Torii holds, already converted to RECS values by the component schema
 * (bigints as `{ "$bigint": "…" }`, see wire-json.ts). Ids are minimal lower-case hex (`0x1f…`).
 */
export interface TruthSnapshot {
  readonly block: number;
  readonly timestamp: number;
  /** Model tag → [entity id, RECS value][]. */
  readonly models: Readonly<Record<string, ReadonlyArray<readonly [string, Readonly<Record<string, unknown>>]>>>;
}

/** `GET /api/chaos`: the faults in force. */
export interface ChaosStatus {
  /** Switches whose fault lasts until it is undone (stall, reorder, persistent failure), and `restart` while Torii is down. */
  readonly active: readonly ChaosSwitchId[];
  readonly block: number;
  /** Open streams on the fake Torii (the SDK's and the naive pipeline's subscriptions). */
  readonly subscribers: number;
}

export type ChaosSwitchId =
  | "pause"
  | "stall-drop"
  | "stall-hold"
  | "resume"
  | "break"
  | "restart"
  | "slow-pages"
  | "fail-pages"
  | "reorder"
  | "spend-budget"
  | "heal";

export interface ChaosSwitch {
  readonly id: ChaosSwitchId;
  readonly label: string;
  /** What the fake Torii does. */
  readonly does: string;
  /** What the SDK should do about it (and what the naive pipeline does). */
  readonly expect: string;
}

/** `POST /api/chaos/{id}` flips one switch; the answer is the new ChaosStatus. */
export const CHAOS_SWITCHES: readonly ChaosSwitch[] = [
  {
    id: "pause",
    label: "Pause the chain",
    does: "No more blocks: a quiet world, nothing is wrong. Click again to resume.",
    expect: "After 3 s of silence the SDK probes, sees the server is not ahead, and does not replay: quiet is not a fault.",
  },
  {
    id: "stall-drop",
    label: "Stall (drop)",
    does: "The stream stays open but silent, and every update is lost.",
    expect: "Silence starts a probe; the SQL watermark shows the server ahead, so the SDK replays within about 3.5 s, and again while the stall lasts. The naive pipeline never notices.",
  },
  {
    id: "stall-hold",
    label: "Stall (hold)",
    does: "The stream stays silent and holds updates back until Resume (a subscriber with more than 256 waiting is cut off, like real Torii).",
    expect: "After about 3 s of silence the probe's evidence starts a replay, which subscribes anew: the held updates of the old stream never arrive (the fake drops them with it), and the new stream's, held until Resume, are newer than the snapshot. A hold shorter than the probe's timeout causes no replay: the held updates arrive in order.",
  },
  {
    id: "resume",
    label: "Resume",
    does: "Ends a stall: held updates are sent, in order.",
    expect: "After a hold, nothing is missing. After a drop, updates lost since the SDK's last replay leave no silence to probe, so the audit the SDK runs while the stream flows (the server's recent writes and component count against its ledger, every 3 s) finds them and replays within about 7 s.",
  },
  {
    id: "break",
    label: "Break connections",
    does: "Cuts every open stream. The client reconnects by itself about 1 s later; updates sent meanwhile are never replayed.",
    expect: "The client's reconnect signal (an all-zero entity) is a gap: the SDK replays. The naive pipeline keeps what it missed.",
  },
  {
    id: "restart",
    label: "Restart Torii (5 s down)",
    does: "The server closes and refuses connections for 5 s, then listens again on the same port.",
    expect: "The stream breaks: the SDK replays (status replaying, connection connecting), retrying with backoff while Torii refuses, and the banner shows while it is down; it is in sync again once Torii answers.",
  },
  {
    id: "slow-pages",
    label: "Slow replay",
    does: "Cuts the streams and makes the pages of the next replay take 1.5 s each.",
    expect: "The replay takes several seconds, so the ResyncBanner appears (after 2 s of lagging or replaying) with its progress, then goes.",
  },
  {
    id: "fail-pages",
    label: "Failing pages",
    does: "Cuts the streams and fails the next 2 page requests (UNAVAILABLE).",
    expect: "A replay never half-applies a failed snapshot: it retries with backoff and succeeds within its budget of 3 attempts.",
  },
  {
    id: "reorder",
    label: "Reorder & duplicates",
    does: "Blocks come in bursts of 30 (an indexer catching up), shuffled in a window of 64 messages, 30% of them sent twice. Click again to stop.",
    expect: "The SDK drops every update older than what it applied: its difference stays 0. The naive pipeline applies arrival order and keeps stale values.",
  },
  {
    id: "spend-budget",
    label: "Persistent failure",
    does: "Every page request fails (failNextPages(1000)) and the streams are cut.",
    expect: "Three replays fail, the status becomes error and the HardReloadPrompt appears. Heal, then press Try again: the SDK recovers without a reload.",
  },
  {
    id: "heal",
    label: "Heal",
    does: "Clears every fault: no stall, no failing or slow pages, no reorder.",
    expect: "The SDK recovers on its own (from error: through Try again). The naive pipeline stays wrong until the page reloads.",
  },
];

/** The guard timings the demo runs with, scaled down from the 30 s / 5 s defaults so a visitor sees detection in seconds. */
export const DEMO_GUARD = { heartbeatTimeoutMs: 3_000, heartbeatCheckIntervalMs: 500, maxReplayAttempts: 3 } as const;
export const DEMO_BACKOFF = { baseMs: 500, maxMs: 3_000 } as const;
/** Entities per snapshot page, so a replay of this small world takes a few pages and shows its progress. */
export const DEMO_REPLAY_PAGE_LIMIT = 100;
/** How often the page compares each RECS world with the server. */
export const TRUTH_POLL_MS = 500;
/**
 * A difference counts once the server's value has stood this long (and the RECS value still differs on two polls in
 * a row): an update in flight for a few milliseconds is not a difference.
 */
export const SETTLE_MS = 1_500;
