// The pipeline consumes any SyncSource; the Torii adapter is one. Re-exported here so core code names one place.
export type { SourcePage, StreamSink, SyncSource } from "../torii/source";
export type { NormalizedEntity } from "../torii/normalize";
export type { StreamHandle } from "../torii/subscription";
