import { useEffect, useMemo, useRef, useSyncExternalStore, type ReactNode } from "react";
import { useMapData, type MapProjection, type MapSnapshot } from "torii-sync-guard";
import type { MismatchCell } from "./difference";
import { drawMap, hexLayout } from "./draw-map";

interface MapCanvasProps {
  readonly snapshot: MapSnapshot;
  readonly mapSize: number;
  /** Cells where this side differs from the server, ringed in red. */
  readonly marks: readonly MismatchCell[];
  readonly label: string;
  readonly testId: string;
}

const RADIUS = 14;

/** One map snapshot on a canvas, redrawn only when the snapshot (or the marks) change. */
export function MapCanvas({ snapshot, mapSize, marks, label, testId }: MapCanvasProps): ReactNode {
  const canvas = useRef<HTMLCanvasElement>(null);
  const layout = useMemo(() => hexLayout(mapSize, RADIUS), [mapSize]);
  useEffect(() => {
    if (canvas.current !== null) drawMap(canvas.current, snapshot, layout, marks);
  }, [snapshot, layout, marks]);
  const counts = snapshot.counts;
  return (
    <canvas
      ref={canvas}
      role="img"
      aria-label={`${label}: ${counts["armies"] ?? 0} armies, ${counts["structures"] ?? 0} structures, ${counts["tiles"] ?? 0} tiles`}
      data-testid={testId}
      data-armies={counts["armies"] ?? 0}
      data-structures={counts["structures"] ?? 0}
      data-tiles={counts["tiles"] ?? 0}
      style={{ width: layout.width, height: layout.height }}
    />
  );
}

/** The SDK's map: `useMapData()` over the projection given to <SyncProvider map={…}>. */
export function SdkMap(props: Omit<MapCanvasProps, "snapshot">): ReactNode {
  const snapshot = useMapData();
  return <MapCanvas snapshot={snapshot} {...props} />;
}

/** The naive side's map: the same projection kind over its own RECS world, read directly (it has no provider). */
export function ProjectionMap({ projection, ...props }: Omit<MapCanvasProps, "snapshot"> & { readonly projection: MapProjection }): ReactNode {
  const snapshot = useSyncExternalStore(projection.subscribe, projection.getSnapshot);
  return <MapCanvas snapshot={snapshot} {...props} />;
}
