import {
  forwardRef,
  useState,
  type ComponentPropsWithoutRef,
  type ForwardRefExoticComponent,
  type ReactNode,
  type RefAttributes,
} from "react";
import type { ConnectionState, SyncStatus } from "../core/state";
import { useSyncActions } from "../hooks/useSyncActions";
import { useSyncState } from "../hooks/useSyncState";
import type { SyncMetrics } from "../core/metrics";
import { DEBUG_BUTTON_STYLE, DEBUG_LIST_STYLE, DEBUG_PANEL_STYLE, DEBUG_TERM_STYLE, DEBUG_VALUE_STYLE, withDefaultStyle } from "./primitives/styles";

/** Every string the panel shows; pass any subset through `labels` to translate or reword. */
export interface SyncDebugPanelLabels {
  /** The accessible name of the panel's region. @default "Sync debug" */
  readonly region: string;
  /** @default "Status" */
  readonly status: string;
  /** @default "Connection" */
  readonly connection: string;
  /** @default "Lag" */
  readonly lag: string;
  /** @default "Replay attempts" */
  readonly attempts: string;
  /** @default "Last error" */
  readonly lastError: string;
  /** @default "Received" */
  readonly received: string;
  /** @default "Applied" */
  readonly applied: string;
  /** @default "Dropped (stale)" */
  readonly droppedStale: string;
  /** @default "Rejected" */
  readonly rejected: string;
  /** @default "Queue (depth / high water)" */
  readonly queue: string;
  /** @default "Replays" */
  readonly replays: string;
  /** @default "Last replay" */
  readonly lastReplay: string;
  /** @default "Gaps" */
  readonly gaps: string;
  /** @default "Probes" */
  readonly probes: string;
  /** @default "Force replay" */
  readonly forceReplay: string;
  /** A missing value (no error yet, no replay yet). @default "none" */
  readonly none: string;
  /** The names shown for each status. @default the status itself */
  readonly statusNames: Readonly<Record<SyncStatus, string>>;
  /** The names shown for each connection state. @default the state itself */
  readonly connectionNames: Readonly<Record<ConnectionState, string>>;
  /** A duration. @default (ms) => `${ms} ms` */
  readonly ms: (ms: number) => string;
  /** A count. @default (n) => String(n) */
  readonly count: (n: number) => string;
}

export const SYNC_DEBUG_PANEL_LABELS: SyncDebugPanelLabels = {
  region: "Sync debug",
  status: "Status",
  connection: "Connection",
  lag: "Lag",
  attempts: "Replay attempts",
  lastError: "Last error",
  received: "Received",
  applied: "Applied",
  droppedStale: "Dropped (stale)",
  rejected: "Rejected",
  queue: "Queue (depth / high water)",
  replays: "Replays",
  lastReplay: "Last replay",
  gaps: "Gaps",
  probes: "Probes",
  forceReplay: "Force replay",
  none: "none",
  statusNames: { idle: "idle", replaying: "replaying", streaming: "streaming", lagging: "lagging", error: "error" },
  connectionNames: { connecting: "connecting", open: "open", closed: "closed" },
  ms: (ms) => `${Math.round(ms)} ms`,
  count: (n) => String(n),
};

export interface SyncDebugPanelProps extends ComponentPropsWithoutRef<"section"> {
  /** Overrides for any of the panel's strings and formats. @default SYNC_DEBUG_PANEL_LABELS */
  readonly labels?: Partial<SyncDebugPanelLabels>;
  /** Drop the default inline styles (the `--tsg-debug-*` variables); `className` and `style` still apply. @default false */
  readonly unstyled?: boolean;
  /** Extra content after the figures and the button (your own rows, links to logs…). */
  readonly children?: ReactNode;
}

interface Row {
  readonly key: string;
  readonly term: string;
  readonly value: string;
}

/** A compact readout of the sync state and its metrics, with a "Force replay" button: for developers and support. */
export const SyncDebugPanel: ForwardRefExoticComponent<SyncDebugPanelProps & RefAttributes<HTMLElement>> = forwardRef<
  HTMLElement,
  SyncDebugPanelProps
>(function SyncDebugPanel(props, ref) {
  const { labels, unstyled = false, children, style, ...rest } = props;
  const state = useSyncState((s) => ({
    status: s.status,
    connection: s.connection,
    lagMs: s.lagMs,
    replayAttempts: s.replayAttempts,
    errorCode: s.lastError?.code,
    metrics: s.metrics,
  }));
  const { forceReplay } = useSyncActions();
  const [pending, setPending] = useState(false);
  const l = labels === undefined ? SYNC_DEBUG_PANEL_LABELS : { ...SYNC_DEBUG_PANEL_LABELS, ...labels };
  const m: SyncMetrics = state.metrics;

  const rows: Row[] = [
    { key: "status", term: l.status, value: l.statusNames[state.status] },
    { key: "connection", term: l.connection, value: l.connectionNames[state.connection] },
    { key: "lag", term: l.lag, value: l.ms(state.lagMs) },
    { key: "attempts", term: l.attempts, value: l.count(state.replayAttempts) },
    { key: "last-error", term: l.lastError, value: state.errorCode ?? l.none },
    { key: "received", term: l.received, value: l.count(m.received) },
    { key: "applied", term: l.applied, value: l.count(m.applied) },
    { key: "dropped-stale", term: l.droppedStale, value: l.count(m.droppedStale) },
    { key: "rejected", term: l.rejected, value: l.count(m.rejected) },
    { key: "queue", term: l.queue, value: `${l.count(m.queueDepth)} / ${l.count(m.queueHighWater)}` },
    { key: "replays", term: l.replays, value: l.count(m.replays) },
    { key: "last-replay", term: l.lastReplay, value: m.lastReplayMs === undefined ? l.none : l.ms(m.lastReplayMs) },
    { key: "gaps", term: l.gaps, value: l.count(m.gaps) },
    { key: "probes", term: l.probes, value: l.count(m.probes) },
  ];

  const force = (): void => {
    setPending(true);
    // The outcome shows up in the rows above; the promise only ends the busy state.
    forceReplay()
      .catch(() => undefined)
      .finally(() => setPending(false));
  };

  return (
    <section
      aria-label={l.region}
      data-tsg-debug=""
      data-status={state.status}
      {...rest}
      ref={ref}
      style={withDefaultStyle(unstyled, DEBUG_PANEL_STYLE, style)}
    >
      <dl style={unstyled ? undefined : DEBUG_LIST_STYLE}>
        {rows.map((row) => (
          <div key={row.key} data-tsg-debug-row={row.key} style={unstyled ? undefined : { display: "contents" }}>
            <dt style={unstyled ? undefined : DEBUG_TERM_STYLE}>{row.term}</dt>
            <dd style={unstyled ? undefined : DEBUG_VALUE_STYLE}>{row.value}</dd>
          </div>
        ))}
      </dl>
      <button
        type="button"
        data-tsg-action="force-replay"
        aria-busy={pending || undefined}
        style={unstyled ? undefined : DEBUG_BUTTON_STYLE}
        onClick={force}
      >
        {l.forceReplay}
      </button>
      {children}
    </section>
  );
});
SyncDebugPanel.displayName = "SyncDebugPanel";
