export interface BackoffConfig {
  /** Delay before the second attempt. @default 1_000 */
  readonly baseMs: number;
  /** Growth per attempt. @default 2 */
  readonly factor: number;
  /** Longest delay. @default 30_000 */
  readonly maxMs: number;
  /** Spread: the delay is scaled by a random factor in [1 - jitter, 1 + jitter], so many clients do not retry in step. @default 0.2 */
  readonly jitter: number;
}

export const BACKOFF_DEFAULTS: BackoffConfig = { baseMs: 1_000, factor: 2, maxMs: 30_000, jitter: 0.2 };

/**
 * Delay before retry number `attempt` (1 = the first retry): exponential, capped, with jitter. Pure: `random` is
 * injected so tests pin it.
 */
export function backoffDelay(attempt: number, config: Partial<BackoffConfig> = {}, random: () => number = Math.random): number {
  const { baseMs, factor, maxMs, jitter } = { ...BACKOFF_DEFAULTS, ...config };
  const exponential = Math.min(maxMs, baseMs * factor ** Math.max(0, attempt - 1));
  const spread = 1 + jitter * (2 * random() - 1);
  return Math.max(0, Math.round(Math.min(maxMs, exponential * spread)));
}
