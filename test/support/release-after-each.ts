import { afterEach } from "vitest";

/**
 * What a test starts against the fake Torii, released after each test: subscriptions cancelled, then clients freed,
 * then servers closed. Each method hands back what it was given, so a test writes
 * `fake = torii.fake(await startFakeTorii(…))`. Typed by shape, so it serves the source and the built kit alike.
 */
export interface ReleaseAfterEach {
  fake<T extends { close(): Promise<void> }>(fake: T): T;
  client<T extends { free(): void }>(client: T): T;
  keep<T extends { cancel(): void }>(subscription: T): T;
  /** Release now what was handed over so far (a test that starts several rounds); afterEach does the same. */
  release(): Promise<void>;
}

/** Registers the afterEach; call it once per describe (or file). */
export function releaseAfterEach(): ReleaseAfterEach {
  const fakes: Array<{ close(): Promise<void> }> = [];
  const clients: Array<{ free(): void }> = [];
  const subscriptions: Array<{ cancel(): void }> = [];
  const release = async (): Promise<void> => {
    for (const subscription of subscriptions.splice(0)) {
      try {
        subscription.cancel();
      } catch {
        // The wasm client's cancel() consumes the handle: cancelled by the test already.
      }
    }
    for (const client of clients.splice(0)) {
      try {
        client.free();
      } catch {
        // Freed by the test already.
      }
    }
    for (const fake of fakes.splice(0)) await fake.close();
  };
  afterEach(release);
  return {
    release,
    fake: (fake) => (fakes.push(fake), fake),
    client: (client) => (clients.push(client), client),
    keep: (subscription) => (subscriptions.push(subscription), subscription),
  };
}
