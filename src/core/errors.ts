/** Every error the SDK raises or counts carries one of these codes, so callers and metrics can tell them apart. */
export type SyncErrorCode =
  | "SYNC_BAD_PAYLOAD"
  | "SYNC_BAD_ID"
  | "SYNC_BAD_TIMESTAMP"
  | "SYNC_FORBIDDEN_KEY"
  | "SYNC_UNKNOWN_MODEL"
  | "SYNC_BAD_VALUE"
  | "SYNC_VALUE_OUT_OF_RANGE"
  /** A warning, never thrown: a valid integer wider than a Number field holds exactly was stored as the nearest double. */
  | "SYNC_PRECISION_LOSS"
  | "SYNC_SUBSCRIBE_TIMEOUT"
  | "SYNC_PAGE_TIMEOUT"
  | "SYNC_REPEATED_CURSOR"
  | "SYNC_TORII_ERROR"
  | "SYNC_QUEUE_OVERFLOW"
  | "SYNC_CANCELLED"
  | "SYNC_REPLAY_BUDGET_SPENT"
  | "SYNC_PROBE_FAILED"
  | "SYNC_CLIENT_NOT_READY"
  /** An option given to the pipeline is out of its range (a guard setting that is not a positive number…): thrown at once. */
  | "SYNC_BAD_OPTION"
  /** The persisted cache (see `persist`): storage missing, over quota, an upgrade blocked, a record unreadable. */
  | "SYNC_CACHE_UNAVAILABLE"
  | "SYNC_CACHE_QUOTA"
  | "SYNC_CACHE_BLOCKED"
  | "SYNC_CACHE_CORRUPT";

export interface SyncErrorDetails {
  /** The entity the error is about, when there is one. */
  readonly entityId?: string;
  /** The Torii model tag (`namespace-Name`) the error is about, when there is one. */
  readonly model?: string;
  /** The member of the model the error is about, when there is one. */
  readonly member?: string;
  /** The underlying error or rejection value, when there is one. */
  readonly cause?: unknown;
}

/** The one error class of the SDK: `code` says what went wrong, the message says what to do about it. */
export class SyncError extends Error {
  readonly code: SyncErrorCode;
  readonly entityId: string | undefined;
  readonly model: string | undefined;
  readonly member: string | undefined;

  constructor(code: SyncErrorCode, message: string, details: SyncErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "SyncError";
    this.code = code;
    this.entityId = details.entityId;
    this.model = details.model;
    this.member = details.member;
  }
}

/** Malformed input never escapes as anything but a SyncError, whatever broke while reading it. */
export function asSyncError(thrown: unknown, where: string): SyncError {
  if (thrown instanceof SyncError) return thrown;
  const detail = thrown instanceof Error ? thrown.message : String(thrown);
  return new SyncError("SYNC_BAD_PAYLOAD", `${where}: could not be read (${detail}).`, { cause: thrown });
}

/** Torii's wasm client rejects with plain strings; turn whatever was thrown into a SyncError with a code. */
export function toSyncError(thrown: unknown, code: SyncErrorCode = "SYNC_TORII_ERROR", context = "Torii request failed"): SyncError {
  if (thrown instanceof SyncError) return thrown;
  const text = thrown instanceof Error ? thrown.message : typeof thrown === "string" ? thrown : safeStringify(thrown);
  return new SyncError(code, `${context}: ${readableToriiError(text)}`, { cause: thrown });
}

/**
 * The wasm client's errors are tonic's debug strings: `failed to get entities: status: Unavailable, message: "…",
 * details: [], metadata: MetadataMap { … }`. Keep what a person needs (the gRPC status and message); the full text
 * stays on `cause`.
 */
export function readableToriiError(text: string): string {
  const match = /^(.*?)status: ([A-Za-z]+), message: "((?:[^"\\]|\\.)*)"/s.exec(text);
  if (match === null) return text;
  const [, prefix = "", status = "", message = ""] = match;
  return `${prefix}${status}: ${message}`;
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
