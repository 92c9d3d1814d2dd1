import type { Timers } from "../core/clock";
import { withDeadline } from "../core/deadline";
import { SyncError, toSyncError } from "../core/errors";
import type { StreamHandle } from "../core/ports";
import type { ToriiSubscriptionLike } from "./client-types";

/**
 * The client's `Subscription.cancel()` consumes the handle (a second cancel, `free()` or `.id` throws), and its
 * subscribe promise never settles while Torii is down. This settles within `timeoutMs` or fails with
 * SYNC_SUBSCRIBE_TIMEOUT, and a subscription that arrives after the timeout is cancelled instead of leaking.
 */
export async function subscribeWithTimeout(
  subscribe: () => Promise<ToriiSubscriptionLike>,
  timeoutMs: number,
  timers: Timers,
  what: string,
  onCancel: () => void = () => undefined,
  inFlight?: Set<(error: SyncError) => void>,
): Promise<StreamHandle> {
  let pending: Promise<ToriiSubscriptionLike>;
  try {
    pending = subscribe();
  } catch (error) {
    pending = Promise.reject(error);
  }
  let handed: ToriiSubscriptionLike | undefined;
  let gaveUp = false;
  pending.then(
    (subscription) => {
      if (gaveUp) releaseQuietly(subscription);
      else handed = subscription;
    },
    () => undefined,
  );
  try {
    const subscription = await withDeadline(
      () => pending,
      timeoutMs,
      timers,
      () => new SyncError("SYNC_SUBSCRIBE_TIMEOUT", `${what}: Torii did not confirm the subscription within ${timeoutMs} ms. Is Torii reachable?`),
      (error) => toSyncError(error, "SYNC_TORII_ERROR", `${what} failed`),
      inFlight,
    );
    return idempotentHandle(subscription, onCancel);
  } catch (error) {
    gaveUp = true;
    if (handed !== undefined) releaseQuietly(handed);
    onCancel();
    throw error;
  }
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
