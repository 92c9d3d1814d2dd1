// The tagged console logger lives with the core (every room may log through the core's port); re-exported here for
// the rooms that imported it from telemetry. The structured logger of the telemetry room builds on the same port.
export { createLogger, LOG_TAG, silentLogger } from "../core/log";
export type { SyncLogger, TaggedLogger } from "../core/log";
