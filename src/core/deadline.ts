import type { Timers } from "./clock";
import type { SyncError } from "./errors";

/**
 * Run a request with a deadline: it settles within `timeoutMs` whatever the network does. The request gets an
 * AbortSignal (fetch aborts with it; the wasm client cannot abort, so its late answer is ignored). `inFlight`, when
 * given, lets a caller fail every pending request at once (cancel).
 */
export function withDeadline<T>(
  request: (signal: AbortSignal | undefined) => Promise<T>,
  timeoutMs: number,
  timers: Timers,
  onTimeout: () => SyncError,
  mapError: (thrown: unknown) => SyncError,
  inFlight?: Set<(error: SyncError) => void>,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const controller = typeof AbortController === "undefined" ? undefined : new AbortController();
    let settled = false;
    const settle = (action: () => void): void => {
      if (settled) return;
      settled = true;
      timers.clearTimeout(timer);
      inFlight?.delete(abort);
      action();
    };
    const abort = (error: SyncError): void =>
      settle(() => {
        controller?.abort();
        reject(error);
      });
    const timer = timers.setTimeout(() => abort(onTimeout()), timeoutMs);
    inFlight?.add(abort);
    let pending: Promise<T>;
    try {
      pending = request(controller?.signal);
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      (value) => settle(() => resolve(value)),
      (error: unknown) => settle(() => reject(mapError(error))),
    );
  });
}
