import type { MapItem, MapSnapshot } from "torii-sync-guard";
import type { BlitzArmyFields, BlitzStructureFields, BlitzTileFields } from "torii-sync-guard/testing/browser";
import type { MismatchCell } from "./difference";

export const OWNER_COLORS: readonly string[] = ["#e6194b", "#3cb44b", "#ffe119", "#4363d8", "#f58231", "#911eb4", "#46f0f0", "#f032e6"];

const BIOME_COLORS: Readonly<Record<string, string>> = {
  None: "#262b36",
  Ocean: "#1f4e79",
  Beach: "#c9b27c",
  Grassland: "#5a8f3d",
  Forest: "#2f5d34",
  Desert: "#b58b4c",
  Snow: "#dfe6ee",
};

/** The colour of a player: players in the demo world are consecutive addresses, so the low bits tell them apart. */
export function ownerColor(owner: bigint): string {
  return OWNER_COLORS[Number(owner % BigInt(OWNER_COLORS.length))] ?? "#ffffff";
}

/** Flat-top hexagons, odd columns shifted down: the offset grid the Blitz world moves armies on. */
export interface HexLayout {
  readonly radius: number;
  readonly width: number;
  readonly height: number;
  center(x: number, y: number): { readonly cx: number; readonly cy: number };
}

export function hexLayout(mapSize: number, radius: number): HexLayout {
  const rowHeight = Math.sqrt(3) * radius;
  return {
    radius,
    width: Math.ceil(1.5 * radius * (mapSize - 1) + 2 * radius + 2),
    height: Math.ceil(rowHeight * (mapSize + 0.5) + 2),
    center: (x, y) => ({ cx: radius + 1 + 1.5 * radius * x, cy: rowHeight / 2 + 1 + rowHeight * y + (x % 2 === 1 ? rowHeight / 2 : 0) }),
  };
}

function hexPath(context: CanvasRenderingContext2D, cx: number, cy: number, radius: number): void {
  context.beginPath();
  for (let i = 0; i < 6; i += 1) {
    const angle = (Math.PI / 3) * i;
    const px = cx + radius * Math.cos(angle);
    const py = cy + radius * Math.sin(angle);
    if (i === 0) context.moveTo(px, py);
    else context.lineTo(px, py);
  }
  context.closePath();
}

/** Draws one map snapshot: explored tiles by biome, structures as squares and armies as dots in their owner's colour. */
export function drawMap(canvas: HTMLCanvasElement, snapshot: MapSnapshot, layout: HexLayout, marks: readonly MismatchCell[]): void {
  const context = canvas.getContext("2d");
  if (context === null) return;
  const ratio = globalThis.devicePixelRatio || 1;
  if (canvas.width !== layout.width * ratio) {
    canvas.width = layout.width * ratio;
    canvas.height = layout.height * ratio;
  }
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  context.fillStyle = "#0d1017";
  context.fillRect(0, 0, layout.width, layout.height);
  const r = layout.radius;

  const tiles = [...snapshot.tiles()];
  for (const tile of tiles) {
    const { cx, cy } = layout.center(tile.x, tile.y);
    for (const item of tile.layers["tiles"] ?? []) {
      const fields = item.fields as BlitzTileFields;
      hexPath(context, cx, cy, r - 0.8);
      context.fillStyle = BIOME_COLORS[fields.biome] ?? "#555";
      context.fill();
    }
  }
  for (const tile of tiles) {
    const { cx, cy } = layout.center(tile.x, tile.y);
    for (const item of tile.layers["structures"] ?? []) {
      const fields = item.fields as BlitzStructureFields;
      const side = r * 1.05;
      context.fillStyle = ownerColor(fields.owner);
      context.strokeStyle = "#ffffff";
      context.lineWidth = 1.5;
      context.fillRect(cx - side / 2, cy - side / 2, side, side);
      context.strokeRect(cx - side / 2, cy - side / 2, side, side);
    }
    const armies: readonly MapItem[] = tile.layers["armies"] ?? [];
    armies.forEach((item, index) => {
      const fields = item.fields as BlitzArmyFields;
      // Several armies on one tile sit around its centre.
      const angle = (2 * Math.PI * index) / Math.max(1, armies.length);
      const offset = armies.length > 1 ? r * 0.42 : 0;
      context.beginPath();
      context.arc(cx + offset * Math.cos(angle), cy + offset * Math.sin(angle), r * 0.34, 0, 2 * Math.PI);
      context.fillStyle = ownerColor(fields.owner);
      context.fill();
      context.strokeStyle = "#0d1017";
      context.lineWidth = 1.5;
      context.stroke();
    });
  }
  for (const mark of marks) {
    const { cx, cy } = layout.center(mark.x, mark.y);
    hexPath(context, cx, cy, r - 1.5);
    context.strokeStyle = "#ff2d2d";
    context.lineWidth = 3;
    context.stroke();
  }
}
