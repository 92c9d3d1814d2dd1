import type { World } from "@dojoengine/recs";
import { useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import type { SyncPipeline } from "../core/pipeline";
import { createSyncPipeline, type SyncPipelineOptions } from "../sync/create-sync-pipeline";
import type { ComponentsInput } from "../core/writer/bindings";
import type { MapProjection } from "../map/projection";
import type { SqlMapSource } from "../map/sql-source";
import type { PersistOptions, ToriiClientLike } from "../sync/index";
import { createIdleStore } from "../store/sync-view";
import { SyncContext, type SyncContextValue } from "../hooks/sync-context";

export type SyncProviderOptions = Omit<SyncPipelineOptions, "client" | "world" | "components" | "clause" | "toriiUrl" | "persist">;

export interface SyncProviderProps {
  /**
   * The Torii client; with `world` and `components` the provider runs its own pipeline, from the render where all three
   * are there (each may still be `undefined` while the app's setup resolves).
   */
  readonly client?: ToriiClientLike | undefined;
  readonly world?: World | undefined;
  readonly components?: ComponentsInput | undefined;
  /**
   * The URL the app built its ToriiClient with: turns on the SQL watermark probe (`{toriiUrl}/sql`) that catches a
   * stalled stream. Without it stall detection is degraded (see the README). Changing it restarts the pipeline.
   */
  readonly toriiUrl?: string | undefined;
  /** Torii clause of the synced scope. Compared by value: a new object with the same content does not restart. */
  readonly clause?: unknown;
  /**
   * Keep the synced world in IndexedDB for warm starts (see `SyncPipelineOptions.persist`): `{}` for the default cache
   * name, `{ name }` for another. Compared by name: a new object with the same name does not restart. @default false
   */
  readonly persist?: PersistOptions | false;
  /**
   * Pipeline options. Callbacks may change identity freely: they never restart the pipeline, and the newest
   * `onStateChange` and `logger` are the ones called. `sinks` and the other settings are read when the pipeline starts.
   */
  readonly options?: SyncProviderOptions;
  /** A pipeline the app owns (started here, never cancelled here). Takes precedence over `client`. */
  readonly pipeline?: SyncPipeline;
  /** What "Reload page" does. @default location.reload() */
  readonly onReload?: () => void;
  /** Map data derived from the ECS for `useMapData`, `useMapTile` and `useMapArea`; started and stopped with the provider. */
  readonly map?: MapProjection;
  /** SQL fields for the map (see createSqlMapSource): started and stopped with the provider, its status in the store. */
  readonly sqlMap?: SqlMapSource;
  readonly children?: ReactNode;
}

/**
 * Runs the sync pipeline for the subtree and publishes its state through a per-provider store. It restarts only when
 * `client`, `world`, `toriiUrl` or `clause` really changes; StrictMode's double mount leaves exactly one live pipeline.
 */
export function SyncProvider(props: SyncProviderProps): ReactNode {
  const { client, world, clause, toriiUrl, pipeline: ownedByApp, map, sqlMap, children } = props;
  // Before the pipeline exists (the first render, SSR) the UI reads an idle store; then the pipeline's own.
  const [idle] = useState(() => createIdleStore());
  const [pipeline, setPipeline] = useState<SyncPipeline | undefined>(undefined);
  const store = pipeline?.store ?? idle;
  // The "latest ref" idiom: effects read the newest props without depending on their identity.
  const latest = useRef(props);
  latest.current = props;
  const clauseKey = useMemo(() => stableKey(clause), [clause]);
  const persistKey = persistKeyOf(props.persist);
  // Components often come a render after the client and world (a setup that resolves): their arrival starts the
  // pipeline; a new identity of them later does not restart it.
  const hasComponents = props.components !== undefined;

  useEffect(() => {
    if (ownedByApp !== undefined) {
      setPipeline(ownedByApp);
      void ownedByApp.start();
      return () => setPipeline((shown) => (shown === ownedByApp ? undefined : shown));
    }
    const current = latest.current;
    if (client === undefined || world === undefined || current.components === undefined) return undefined;
    const options = current.options ?? {};
    const created = createSyncPipeline({
      ...options,
      client,
      world,
      components: current.components,
      clause: current.clause,
      ...(toriiUrl === undefined ? {} : { toriiUrl }),
      ...(current.persist === undefined ? {} : { persist: current.persist }),
      onStateChange: (state, previous) => latest.current.options?.onStateChange?.(state, previous),
      // The newest logger too (one that closes over the signed-in player): given at start, it may change identity.
      ...(options.logger === undefined ? {} : { logger: (record: Parameters<NonNullable<typeof options.logger>>[0]) => (latest.current.options?.logger ?? options.logger)?.(record) }),
    });
    setPipeline(created);
    void created.start();
    return () => {
      created.cancel();
      setPipeline((shown) => (shown === created ? undefined : shown));
    };
    // clauseKey and persistKey stand for clause and persist: the pipeline restarts when their content changes.
  }, [ownedByApp, client, world, clauseKey, toriiUrl, persistKey, hasComponents]);

  useEffect(() => {
    if (map === undefined) return undefined;
    map.start();
    return () => map.stop();
  }, [map]);

  useEffect(() => {
    if (sqlMap === undefined || pipeline === undefined) return undefined;
    sqlMap.start(pipeline);
    return () => sqlMap.stop();
  }, [sqlMap, pipeline]);

  const value = useMemo<SyncContextValue>(
    () => ({
      store,
      pipeline,
      reload: () => {
        const onReload = latest.current.onReload;
        if (onReload !== undefined) onReload();
        else globalThis.location?.reload();
      },
      map,
      sqlMap,
    }),
    [store, pipeline, map, sqlMap],
  );
  return <SyncContext.Provider value={value}>{children}</SyncContext.Provider>;
}

/** What identifies a `persist` prop: off, or the cache's name (and whether an IndexedDB was injected). */
function persistKeyOf(persist: PersistOptions | false | undefined): string {
  if (persist === undefined || persist === false) return "";
  return `${persist.name ?? "(default)"}${persist.indexedDB === undefined ? "" : persist.indexedDB === null ? "|none" : "|given"}`;
}

/** A value key for clauses: bigints and key order do not make two equal clauses look different. */
function stableKey(value: unknown): string {
  return JSON.stringify(value ?? null, (_key, inner: unknown) => {
    if (typeof inner === "bigint") return `${inner}n`;
    if (inner !== null && typeof inner === "object" && !Array.isArray(inner)) {
      return Object.fromEntries(Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return inner;
  });
}
