/**
 * The persisted sync (the seed's phase 5): an IndexedDB cache of what the admission let through, a writer that never
 * blocks, hydration as Torii entity messages, and one writer tab for all (Web Locks + BroadcastChannel). The engine
 * wires these; none of them imports the engine beyond its types, errors and clock.
 */
export { cacheIdentity, defaultCacheName, PACKAGE_VERSION, type IdentityInput } from "./fingerprint";
export { openSyncCache, clearPersistedSync, type OpenSyncCacheOptions, type PersistOptions, type PersistTabsOptions, type SyncCache, type ClearPersistedSyncOptions } from "./cache";
export type { CacheCounters } from "./connection";
export type { CacheWriter, CacheWriterOptions } from "./writer";
export type { CachedMessagesListener, HydrateOptions, HydrateResult } from "./hydrate";
export { CACHE_LAYOUT_VERSION, CACHE_NAME_PREFIX, type CacheIdentity, type Watermark } from "./layout";
export { changesToMessages, entityMessages, type ToriiEntityMessage, type ScopedMessages } from "./messages";
export { createSyncChannel, type SyncChannel, type SyncChannelOptions, type Heartbeat, type HelloAnswer } from "./channel";
export { electLeader, type ElectionOptions, type LeaderElection, type LeaderRole, type ElectionCounters, type LockManagerLike } from "./election";
