import type { Timers } from "../core/clock";
import { SyncError, toSyncError } from "../core/errors";
import type { ToriiSubscriptionLike } from "./client-types";

/** A subscription whose cancel can be called any number of times. */
export interface StreamHandle {
  cancel(): void;
  readonly cancelled: boolean;
}

/**
 * The client's `Subscription.cancel()` consumes the handle (a second cancel, `free()` or `.id` throws), and its
 * subscribe promise never settles while Torii is down. This settles within `timeoutMs` or fails with
 * SYNC_SUBSCRIBE_TIMEOUT, and a subscription that arrives after the timeout is cancelled instead of leaking.
 */
export function subscribeWithTimeout(
  subscribe: () => Promise<ToriiSubscriptionLike>,
  timeoutMs: number,
  timers: Timers,
  what: string,
  onCancel: () => void = () => undefined,
  inFlight: Set<(error: SyncError) => void> = new Set(),
): Promise<StreamHandle> {
  return new Promise<StreamHandle>((resolve, reject) => {
    let settled = false;
    const abort = (error: SyncError): void => {
      if (settled) return;
      settled = true;
      timers.clearTimeout(timer);
      inFlight.delete(abort);
      onCancel();
      reject(error);
    };
    const timer = timers.setTimeout(
      () => abort(new SyncError("SYNC_SUBSCRIBE_TIMEOUT", `${what}: Torii did not confirm the subscription within ${timeoutMs} ms. Is Torii reachable?`)),
      timeoutMs,
    );
    inFlight.add(abort);
    let pending: Promise<ToriiSubscriptionLike>;
    try {
      pending = subscribe();
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      (subscription) => {
        if (settled) {
          releaseQuietly(subscription);
          return;
        }
        settled = true;
        timers.clearTimeout(timer);
        inFlight.delete(abort);
        resolve(idempotentHandle(subscription, onCancel));
      },
      (error: unknown) => abort(toSyncError(error, "SYNC_TORII_ERROR", `${what} failed`)),
    );
  });
}

function idempotentHandle(subscription: ToriiSubscriptionLike, onCancel: () => void): StreamHandle {
  let cancelled = false;
  return {
    get cancelled() {
      return cancelled;
    },
    cancel() {
      if (cancelled) return;
      cancelled = true;
      onCancel();
      releaseQuietly(subscription);
    },
  };
}

function releaseQuietly(subscription: ToriiSubscriptionLike): void {
  try {
    subscription.cancel();
  } catch {
    // A consumed handle throws on a second cancel: teardown must never fail because of it.
  }
}
