/** A set of listeners: add returns the removal, emit calls each (a throwing listener does not silence the others). */
export interface Listeners<A extends unknown[]> {
  add(listener: (...args: A) => void): () => void;
  emit(...args: A): void;
  clear(): void;
  readonly size: number;
}

/** The one listener set of the house: pipelines, projections and sources all notify through it. */
export function createListeners<A extends unknown[]>(onError: (error: unknown) => void = reportLater): Listeners<A> {
  const listeners = new Set<(...args: A) => void>();
  return {
    add(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    emit(...args) {
      // A copy: a listener may unsubscribe (or subscribe another) while being called.
      for (const listener of [...listeners]) {
        try {
          listener(...args);
        } catch (error) {
          onError(error);
        }
      }
    },
    clear() {
      listeners.clear();
    },
    get size() {
      return listeners.size;
    },
  };
}

/** A listener's throw is the app's bug: surface it without breaking the SDK's own loop. */
export function reportLater(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}

/**
 * Call an app's callback (if any); its throw is reported like a listener's, never thrown at the SDK's caller. The
 * pipeline's `onStateChange` runs inside the guard's transitions, a replay's failure path among them: a throw there
 * unwound the replay, left the scheduler dead and the state stuck in `lagging`.
 */
export function callSafely<A extends unknown[]>(callback: ((...args: A) => void) | undefined, ...args: A): void {
  try {
    callback?.(...args);
  } catch (error) {
    reportLater(error);
  }
}
