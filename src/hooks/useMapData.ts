import { useCallback, useRef, useSyncExternalStore } from "react";
import { useSyncContext } from "../components/sync-context";
import type { MapBounds, MapProjection, MapSnapshot, MapTile } from "../map/projection";

function useMap(hookName: string): MapProjection {
  const { map } = useSyncContext(hookName);
  if (map === undefined) throw new Error(`${hookName} needs a map projection: pass <SyncProvider map={defineMapProjection(…)}>`);
  return map;
}

/**
 * Map data derived from the ECS: the whole snapshot, or a slice of it. A selected slice that is shallowly equal to the
 * last one keeps its identity, so the component re-renders only when what it selected changed.
 */
export function useMapData(): MapSnapshot;
export function useMapData<T>(selector: (map: MapSnapshot) => T): T;
export function useMapData<T>(selector?: (map: MapSnapshot) => T): T | MapSnapshot {
  const map = useMap("useMapData");
  const subscribe = useCallback((listener: () => void) => map.subscribe(listener), [map]);
  const cache = useRef<{ version: number; selector: unknown; value: unknown } | undefined>(undefined);
  const read = (): T | MapSnapshot => {
    const snapshot = map.getSnapshot();
    if (selector === undefined) return snapshot;
    const cached = cache.current;
    if (cached !== undefined && cached.version === snapshot.version && cached.selector === selector) return cached.value as T;
    const next = selector(snapshot);
    const value = cached !== undefined && shallowEqual(cached.value, next) ? (cached.value as T) : next;
    cache.current = { version: snapshot.version, selector, value };
    return value;
  };
  return useSyncExternalStore(subscribe, read, read);
}

/** One tile; re-renders only when that tile changes (tiles keep their identity while unchanged). */
export function useMapTile(x: number, y: number): MapTile | undefined {
  const map = useMap("useMapTile");
  const subscribe = useCallback((listener: () => void) => map.subscribe(listener), [map]);
  const read = (): MapTile | undefined => map.getSnapshot().tile(x, y);
  return useSyncExternalStore(subscribe, read, read);
}

/** The tiles of a viewport; re-renders only when a tile inside it changes. */
export function useMapArea(bounds: MapBounds): readonly MapTile[] {
  const { minX, minY, maxX, maxY } = bounds;
  const selectArea = useCallback((map: MapSnapshot) => map.area({ minX, minY, maxX, maxY }), [minX, minY, maxX, maxY]);
  return useMapData(selectArea);
}

function shallowEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  return keysA.length === keysB.length && keysA.every((key) => Object.is((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}
