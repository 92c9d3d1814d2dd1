/** Thrown when `waitFor` runs out of time; the message carries the caller's description. */
export class WaitTimeoutError extends Error {
  override readonly name = "WaitTimeoutError";
}

export interface WaitForOptions {
  /** @default 5_000 */
  readonly timeoutMs?: number;
  /** Polling interval; 0 polls on every macrotask (setImmediate). @default 5 */
  readonly intervalMs?: number;
  /** Named in the timeout error. */
  readonly description?: string;
}

/**
 * Resolves with the first truthy value `probe` returns, polling until `timeoutMs`. For waiting on callbacks of the
 * real client: tests assert on events, never on fixed sleeps.
 */
export async function waitFor<T>(probe: () => T | undefined | null | false, options: WaitForOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const intervalMs = options.intervalMs ?? 5;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new WaitTimeoutError(`waitFor timed out after ${timeoutMs} ms${options.description === undefined ? "" : `: ${options.description}`}`);
    await new Promise<void>((resolve) => (intervalMs <= 0 ? setImmediate(resolve) : setTimeout(resolve, intervalMs)));
  }
}
