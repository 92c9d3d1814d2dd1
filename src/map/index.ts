export { defineMapProjection, hashEntity, hashTile } from "./projection";
export type { MapBounds, MapItem, MapLayer, MapPosition, MapProjection, MapProjectionOptions, MapSnapshot, MapTile } from "./projection";
