import {
  forwardRef,
  useState,
  type ComponentPropsWithoutRef,
  type ForwardRefExoticComponent,
  type ReactNode,
  type RefAttributes,
} from "react";
import { useSyncActions } from "../hooks/useSyncActions";
import { useSyncState } from "../hooks/useSyncState";
import type { SyncMetrics } from "../core/metrics";
import { EntityLookup } from "./debug-panel/EntityLookup";
import type { HeadingLevel } from "./debug-panel/heading";
import { SYNC_DEBUG_PANEL_LABELS, type SyncDebugPanelLabels } from "./debug-panel/labels";
import { RecentEvents } from "./debug-panel/RecentEvents";
import { DEBUG_BUTTON_STYLE, DEBUG_LIST_STYLE, DEBUG_PANEL_STYLE, DEBUG_TERM_STYLE, DEBUG_VALUE_STYLE, withDefaultStyle } from "./primitives/styles";

export { SYNC_DEBUG_PANEL_LABELS } from "./debug-panel/labels";
export type { SyncDebugPanelLabels } from "./debug-panel/labels";
export type { HeadingLevel } from "./debug-panel/heading";

export interface SyncDebugPanelProps extends ComponentPropsWithoutRef<"section"> {
  /** Overrides for any of the panel's strings and formats. @default SYNC_DEBUG_PANEL_LABELS */
  readonly labels?: Partial<SyncDebugPanelLabels>;
  /** Drop the default inline styles (the `--tsg-debug-*` variables); `className` and `style` still apply. @default false */
  readonly unstyled?: boolean;
  /** Show the entity lookup (an id → its ledger and RECS values). @default true */
  readonly entityLookup?: boolean;
  /** How many recent events to list (newest first); `0` hides the list. @default 20 */
  readonly events?: number;
  /** The level of the sections' headings ("Entity lookup", "Recent events"), to fit the page's outline. @default 3 */
  readonly headingLevel?: HeadingLevel;
  /** Extra content after the figures and the button (your own rows, links to logs…). */
  readonly children?: ReactNode;
}

interface Row {
  readonly key: string;
  readonly term: string;
  readonly value: string;
}

/**
 * A readout of the sync state and its metrics with a "Force replay" button, an entity lookup (its ledger and RECS
 * values) and the recent events: for developers and support. Render it behind your own dev flag.
 */
export const SyncDebugPanel: ForwardRefExoticComponent<SyncDebugPanelProps & RefAttributes<HTMLElement>> = forwardRef<
  HTMLElement,
  SyncDebugPanelProps
>(function SyncDebugPanel(props, ref) {
  const { labels, unstyled = false, entityLookup = true, events = 20, headingLevel = 3, children, style, ...rest } = props;
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
    // A forced request during a replay queues a whole second one: one press, one replay.
    if (pending) return;
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
        aria-disabled={pending || undefined}
        style={unstyled ? undefined : DEBUG_BUTTON_STYLE}
        onClick={force}
      >
        {l.forceReplay}
      </button>
      {entityLookup ? <EntityLookup labels={l} headingLevel={headingLevel} unstyled={unstyled} /> : null}
      {events > 0 ? <RecentEvents labels={l} headingLevel={headingLevel} unstyled={unstyled} limit={events} /> : null}
      {children}
    </section>
  );
});
SyncDebugPanel.displayName = "SyncDebugPanel";
