export { defineMapProjection } from "./projection";
export type { MapBounds, MapBuildStatus, MapItem, MapLayer, MapPosition, MapProjection, MapProjectionOptions, MapSnapshot, MapTile } from "./map-types";
export { createSqlMapSource } from "./sql-source";
export type { SqlMapQuery, SqlMapSource, SqlMapSourceOptions, SqlMapStatus, SqlRow } from "./sql-types";
