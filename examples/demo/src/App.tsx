import { createWorld } from "@dojoengine/recs";
import { useEffect, useMemo, useState, type ReactNode } from "react";
import {
  HARD_RELOAD_PROMPT_MESSAGES,
  HardReloadPrompt,
  ResyncBanner,
  SyncDebugPanel,
  SyncProvider,
  useSyncMetrics,
  useSyncState,
  type PersistOptions,
  type SyncProviderOptions,
} from "torii-sync-guard";
import { blitzMapProjection, defineBlitzComponents } from "torii-sync-guard/testing/browser";
import { DEMO_BACKOFF, DEMO_GUARD, DEMO_REPLAY_PAGE_LIMIT, SETTLE_MS } from "../shared/protocol";
import { ChaosPanel } from "./ChaosPanel";
import { flipChaos, type DemoSession } from "./connect";
import { componentsByTag, type DifferenceReport } from "./difference";
import { OWNER_COLORS } from "./draw-map";
import { ProjectionMap, SdkMap } from "./MapCanvas";
import { startNaiveSync, type NaiveSync } from "./naive-sync";
import { demoSink } from "./telemetry";
import { TelemetryLog } from "./TelemetryLog";
import { useDifferences } from "./useDifferences";

/** Scaled down from the 30 s / 5 s defaults so a visitor sees detection within seconds. A stable object: defined once. */
const SYNC_OPTIONS: SyncProviderOptions = {
  guard: { ...DEMO_GUARD, replayPageLimit: DEMO_REPLAY_PAGE_LIMIT },
  backoff: DEMO_BACKOFF,
  // Telemetry, as a game would wire it: a sink (PostHog's would be `createPostHogSink(posthog)`), and the console
  // inspector even in this production build: window.__SYNC_DEBUG__["torii-sync:demo"].ledger(id), .forceReplay()…
  sinks: [demoSink],
  inspector: "torii-sync:demo",
};

/**
 * The persisted cache: the synced world kept in IndexedDB for a warm start on reload, and one sync for all tabs of the
 * demo (one tab holds a Web Lock, subscribes and relays to the others over a BroadcastChannel). Only the SDK's side:
 * the naive side always starts cold, per tab. `?tabs=own` gives each tab its own sync.
 */
const OWN_TABS = new URLSearchParams(window.location.search).get("tabs") === "own";
const PERSIST: PersistOptions = OWN_TABS ? { name: "demo", tabs: false } : { name: "demo" };

export function App({ session }: { readonly session: DemoSession }): ReactNode {
  const { client, config } = session;
  // The game's RECS world and its generated components, and the map derived from them: created once.
  const [game] = useState(() => {
    const world = createWorld();
    const components = defineBlitzComponents(world);
    return { world, components, projection: blitzMapProjection(components) };
  });
  const [naive, setNaive] = useState<NaiveSync | undefined>(undefined);
  const [naiveRun, setNaiveRun] = useState(0);
  const [naiveFailure, setNaiveFailure] = useState<string | undefined>(undefined);
  useEffect(() => {
    const started = startNaiveSync(client);
    setNaive(started);
    setNaiveFailure(undefined);
    let current = true;
    started.ready.catch((error: unknown) => {
      if (current) setNaiveFailure(error instanceof Error ? error.message : String(error));
    });
    return () => {
      current = false;
      started.stop();
    };
  }, [client, naiveRun]);

  const oursByTag = useMemo(() => componentsByTag(game.components), [game]);
  const naiveByTag = useMemo(() => (naive === undefined ? undefined : componentsByTag(naive.components)), [naive]);
  const differences = useDifferences(oursByTag, naiveByTag);

  return (
    <SyncProvider client={client} world={game.world} components={game.components} toriiUrl={config.toriiUrl} map={game.projection} options={SYNC_OPTIONS} persist={PERSIST}>
      <ResyncBanner showResyncButton className="banner" data-testid="resync-banner" />
      <HardReloadPrompt data-testid="hard-reload-prompt">
        <p>{HARD_RELOAD_PROMPT_MESSAGES.description}</p>
        <p className="demo-note">
          Demo: the fake Torii is still failing every page.{" "}
          <button type="button" data-testid="prompt-heal" onClick={() => void flipChaos("heal").catch(() => undefined)}>
            Heal it
          </button>{" "}
          first, then Try again.
        </p>
      </HardReloadPrompt>
      <header className="top">
        <h1>torii-sync-guard</h1>
        <p>
          A Blitz-like world on a fake Torii (block {differences.block}), synced twice from the same server: by this SDK, and by the
          naive <code>@dojoengine/state</code> pipeline. Misbehave the network on the right and watch both.
        </p>
        <StatusBar />
      </header>
      <main className="layout">
        <div className="left">
          <div className="sides">
            <section className="side" aria-labelledby="ours-title">
              <h2 id="ours-title">torii-sync-guard</h2>
              <DifferenceCounter report={differences.ours} checks={differences.checks} testId="difference-ours" />
              <SdkMap mapSize={config.mapSize} marks={differences.ours.cells} label="The SDK's map" testId="map-ours" />
            </section>
            <section className="side" aria-labelledby="naive-title">
              <h2 id="naive-title">
                naive <code>getSyncEntities</code>
              </h2>
              <DifferenceCounter report={differences.naive} checks={differences.checks} testId="difference-naive" />
              {naive === undefined ? null : (
                <ProjectionMap projection={naive.projection} mapSize={config.mapSize} marks={differences.naive.cells} label="The naive pipeline's map" testId="map-naive" />
              )}
              {naiveFailure === undefined ? null : (
                <p className="demo-note" role="status" data-testid="naive-failed">
                  getSyncEntities failed and does not retry: {naiveFailure}
                </p>
              )}
              <button type="button" className="quiet" data-testid="naive-reload" onClick={() => setNaiveRun((n) => n + 1)}>
                Reload the naive side
              </button>
            </section>
          </div>
          <Legend />
          <section className="panel debug" aria-labelledby="debug-title">
            <div>
              <h2 id="debug-title">
                <code>&lt;SyncDebugPanel&gt;</code>
              </h2>
              <SyncDebugPanel />
            </div>
            <div className="notes">
              <p>
                Demo timings: silence starts a probe after {DEMO_GUARD.heartbeatTimeoutMs / 1000} s, checked every{" "}
                {DEMO_GUARD.heartbeatCheckIntervalMs} ms (the defaults are 30 s and 5 s); {DEMO_GUARD.maxReplayAttempts} replay attempts with{" "}
                {DEMO_BACKOFF.baseMs} ms–{DEMO_BACKOFF.maxMs / 1000} s backoff; {DEMO_REPLAY_PAGE_LIMIT} entities per page. The banner shows after 2 s of
                lagging or replaying.
              </p>
              <p>
                The naive side pages the snapshot and then subscribes, so it loses what changed in between; it ignores whole-entity deletes
                (<code>models: {"{}"}</code>) and applies every update in arrival order. &quot;Reload the naive side&quot; while the chain is paused
                gives it a clean start.
              </p>
              <p>
                Below the figures: paste an entity id (an army&apos;s, from the server) into the lookup to see its ledger and RECS values, and the
                recent events. The same pipeline is on <code>window.__SYNC_DEBUG__[&quot;torii-sync:demo&quot;]</code> in the browser console.
              </p>
              <p>
                The demo world writes each component at most once per block second. Torii sends only whole-second timestamps, so two writes to one
                component in the same second are applied in arrival order by any client; only a replay orders them.
              </p>
            </div>
          </section>
        </div>
        <div className="right">
          <ChaosPanel />
          <TelemetryLog />
        </div>
      </main>
    </SyncProvider>
  );
}

function StatusBar(): ReactNode {
  const { status, connection, replayAttempts } = useSyncState((s) => ({ status: s.status, connection: s.connection, replayAttempts: s.replayAttempts }));
  const { replays, gaps, droppedStale } = useSyncMetrics((m) => ({ replays: m.replays, gaps: m.gaps, droppedStale: m.droppedStale }));
  return (
    <p className="status-bar">
      <span className={`pill status-${status}`} data-testid="sync-status" data-status={status}>
        {status}
      </span>
      <span>connection {connection}</span>
      <span data-testid="replays" data-value={replays}>
        replays {replays}
      </span>
      <span>gaps {gaps}</span>
      <span>stale dropped {droppedStale}</span>
      {replayAttempts > 0 ? <span>attempt {replayAttempts}</span> : null}
      <CacheStatus />
    </p>
  );
}

/** The `persist` option at work: whether this load started from the cache, and this tab's part in the shared sync. */
function CacheStatus(): ReactNode {
  const { fromCache, cacheAgeMs } = useSyncState((s) => ({ fromCache: s.fromCache, cacheAgeMs: s.cacheAgeMs }));
  const cache = useSyncMetrics((m) => ({
    on: m.cache !== undefined,
    hits: m.cache?.hits ?? 0,
    misses: m.cache?.misses ?? 0,
    hydrated: m.cache?.entitiesHydrated ?? 0,
    role: m.cache?.tabRole ?? "off",
    flushes: m.cache?.flushes ?? 0,
    watermark: m.cache?.watermark,
  }));
  // The demo always persists: before the pipeline reports its cache (a follower tab learns its role first), it opens.
  if (!cache.on) return <span data-testid="cache-status" data-start="opening" data-role="pending">opening the cache</span>;
  const start = fromCache ? "replaying-cache" : cache.hits > 0 ? "warm" : cache.misses > 0 ? "cold" : "opening";
  const text = fromCache
    ? `showing the cached world${cacheAgeMs === undefined ? "" : ` (${formatAge(cacheAgeMs)} old)`}, confirming`
    : cache.hits > 0
      ? `warm start: ${cache.hydrated} entities from the cache`
      : cache.misses > 0
        ? "cold start (no cache)"
        : "opening the cache";
  return (
    <span
      data-testid="cache-status"
      data-start={start}
      data-from-cache={fromCache}
      data-hits={cache.hits}
      data-hydrated={cache.hydrated}
      data-role={cache.role}
      data-flushes={cache.flushes}
      data-watermark={cache.watermark ?? ""}
      title="The persist option: an IndexedDB cache for warm starts, one tab syncing for all"
    >
      {text} · tab {cache.role}
    </span>
  );
}

function formatAge(ms: number): string {
  return ms < 1_000 ? `${Math.round(ms)} ms` : ms < 120_000 ? `${(ms / 1_000).toFixed(1)} s` : `${Math.round(ms / 60_000)} min`;
}

function DifferenceCounter({ report, checks, testId }: { readonly report: DifferenceReport; readonly checks: number; readonly testId: string }): ReactNode {
  return (
    <div
      className={report.total === 0 ? "difference zero" : "difference"}
      data-testid={testId}
      data-value={report.total}
      data-missing={report.missing}
      data-extra={report.extra}
      data-different={report.different}
      data-checks={checks}
    >
      <div className="difference-number" aria-live="off">
        {report.total}
      </div>
      <div className="difference-text">
        <strong>difference from the server</strong>
        <span>
          {report.missing} missing · {report.extra} extra · {report.different} stale, of {report.serverModels} entity-models
        </span>
        {report.examples.length > 0 ? <span className="examples">{report.examples.join(" · ")}</span> : null}
        <span className="hint">Compared every 0.5 s; a value counts once the server's has stood {SETTLE_MS / 1000} s.</span>
      </div>
    </div>
  );
}

function Legend(): ReactNode {
  return (
    <footer className="legend">
      <span>Squares: structures · dots: armies · colour: owner</span>
      {OWNER_COLORS.slice(0, 6).map((color, index) => (
        <span key={color} className="swatch" style={{ background: color }} title={`player ${index}`} />
      ))}
      <span>Red rings: entity-models that differ from the server.</span>
    </footer>
  );
}
