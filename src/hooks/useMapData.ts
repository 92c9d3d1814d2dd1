import { useCallback, useMemo, useRef, useSyncExternalStore } from "react";
import { useSyncContext } from "./sync-context";
import { withSqlFields } from "../map/merge-sql";
import type { MapBounds, MapBuildStatus, MapSnapshot, MapTile } from "../map/projection";
import type { SqlMapSource } from "../map/sql-types";
import { shallowEqual } from "../core/util/shallow-equal";

interface MapView {
  /** The current snapshot, with SQL fields merged when the provider has an SQL source; same object while nothing changed. */
  read(): MapSnapshot;
  subscribe(listener: () => void): () => void;
}

/** The projection (and SQL source) of the provider, as one subscribable view. */
function useMap(hookName: string): MapView {
  const { map, sqlMap } = useSyncContext(hookName);
  if (map === undefined) throw new Error(`${hookName} needs a map projection: pass <SyncProvider map={defineMapProjection(…)}>`);
  const last = useRef<{ snapshot: MapSnapshot; source: SqlMapSource; sqlVersion: number; view: MapSnapshot } | undefined>(undefined);
  const read = useCallback((): MapSnapshot => {
    const snapshot = map.getSnapshot();
    if (sqlMap === undefined) return snapshot;
    // Keyed by the rows' own version: a status change or a refresh that brought the same rows keeps the snapshot. And
    // by the source: another one (the provider's prop changed) may happen to be at the same version.
    const sqlVersion = sqlMap.dataVersion ?? sqlMap.version;
    const cached = last.current;
    if (cached !== undefined && cached.snapshot === snapshot && cached.source === sqlMap && cached.sqlVersion === sqlVersion) return cached.view;
    const view = withSqlFields(snapshot, sqlMap);
    last.current = { snapshot, source: sqlMap, sqlVersion, view };
    return view;
  }, [map, sqlMap]);
  const subscribe = useCallback(
    (listener: () => void) => {
      const offMap = map.subscribe(listener);
      const offSql = sqlMap?.subscribe(listener);
      return () => {
        offMap();
        offSql?.();
      };
    },
    [map, sqlMap],
  );
  return useMemo(() => ({ read, subscribe }), [read, subscribe]);
}

/**
 * Map data derived from the ECS: the whole snapshot, or a slice of it. A selected slice that is shallowly equal to the
 * last one keeps its identity, so the component re-renders only when what it selected changed.
 */
export function useMapData(): MapSnapshot;
export function useMapData<T>(selector: (map: MapSnapshot) => T): T;
export function useMapData<T>(selector?: (map: MapSnapshot) => T): T | MapSnapshot {
  const view = useMap("useMapData");
  const cache = useRef<{ snapshot: MapSnapshot; selector: unknown; value: unknown } | undefined>(undefined);
  const read = (): T | MapSnapshot => {
    const snapshot = view.read();
    if (selector === undefined) return snapshot;
    const cached = cache.current;
    if (cached !== undefined && cached.snapshot === snapshot && cached.selector === selector) return cached.value as T;
    const next = selector(snapshot);
    const value = cached !== undefined && shallowEqual(cached.value, next) ? (cached.value as T) : next;
    cache.current = { snapshot, selector, value };
    return value;
  };
  return useSyncExternalStore(view.subscribe, read, read);
}

/** One tile; re-renders only when that tile changes (tiles keep their identity while unchanged). */
export function useMapTile(x: number, y: number): MapTile | undefined {
  const view = useMap("useMapTile");
  const read = (): MapTile | undefined => view.read().tile(x, y);
  return useSyncExternalStore(view.subscribe, read, read);
}

/** The tiles of a viewport; re-renders only when a tile inside it changes. */
export function useMapArea(bounds: MapBounds): readonly MapTile[] {
  const { minX, minY, maxX, maxY } = bounds;
  const selectArea = useCallback((map: MapSnapshot) => map.area({ minX, minY, maxX, maxY }), [minX, minY, maxX, maxY]);
  return useMapData(selectArea);
}

/**
 * Whether the map is being built (the first build, or the one after a restart) and how far, for a loading state:
 * `{ building, progress }`. Meanwhile `useMapData` keeps giving the last complete map. Re-renders only when the
 * status changes (a hundredth of progress at a time).
 */
export function useMapStatus(): MapBuildStatus {
  const { map } = useSyncContext("useMapStatus");
  if (map === undefined) throw new Error("useMapStatus needs a map projection: pass <SyncProvider map={defineMapProjection(…)}>");
  const subscribe = useCallback((listener: () => void) => map.subscribeStatus(listener), [map]);
  const read = useCallback(() => map.getStatus(), [map]);
  return useSyncExternalStore(subscribe, read, read);
}
