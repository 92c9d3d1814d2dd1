// What the old leader relayed but had not written to the cache when it closed: the new leader's ledger already holds
// it. Its replay found such a row unchanged (and reconciliation removes only what is live), so it recorded nothing,
// yet its watermark claimed the cache held everything up to it, and later warm starts showed the old world. The replay
// after a takeover now records unchanged rows and the deletes its snapshot confirms; the watermark heard as a
// follower is not written; and a follower's own replay in flight at the takeover marks nothing.
import { afterEach, describe, expect, it } from "vitest";
import { paddedId, rawEntity } from "../support/ty";
import { turns } from "./persist-fakes";
import { army, closeTabs, pass, readCache, relayUnwritten, tab, until, xOf } from "./persist-handover-rig";

const changed = () => rawEntity(3, 200, { "test-Army": army(333) });
const deleted = () => ({ ...rawEntity(3, 200, {}), models: {} });
let onHello: (() => void) | undefined;

/** A follower's BroadcastChannel that runs `onHello` (once) as its hello is posted. */
class HelloSpy extends BroadcastChannel {
  override postMessage(message: unknown): void {
    super.postMessage(message);
    if ((message as { t?: string }).t === "hello" && onHello !== undefined) {
      const hook = onHello;
      onHello = undefined;
      hook();
    }
  }
}

afterEach(() => {
  onHello = undefined;
  closeTabs();
});

/** The leader's tab closes (its writer drops what it had not committed, as a closing page does); b takes over. */
async function takeOver(run: Awaited<ReturnType<typeof relayUnwritten>>): Promise<void> {
  run.leader.pipeline.cancel();
  await until(() => run.follower.pipeline.metrics().cache?.tabRole === "leader" && run.follower.pipeline.getState().status === "streaming");
  await until(() => (run.follower.pipeline.metrics().cache?.watermark ?? 0) >= 200);
  await pass(5_000);
}

/** The cache, once the new leader closed too. */
async function cacheAfter(run: Awaited<ReturnType<typeof relayUnwritten>>) {
  run.follower.pipeline.cancel();
  await turns(20);
  return readCache(run.factory);
}

describe("leader handover and the cache", () => {
  it("should keep in the cache every change up to its watermark when the leader closes before flushing what it relayed", async () => {
    const run = await relayUnwritten(changed());
    await takeOver(run);
    const { watermark, xs } = await cacheAfter(run);
    expect(watermark).toBeGreaterThanOrEqual(200);
    expect(xs.get(paddedId(3))).toBe(333);
  });

  it("should show a tab opened after the handover the change the old leader relayed before it closed", async () => {
    const run = await relayUnwritten(changed());
    await takeOver(run);
    const late = tab(run.client, run.factory, run.locks, "c");
    await until(() => late.pipeline.getState().status === "streaming" && late.pipeline.metrics().cache?.tabRole === "follower");
    await pass(5_000);
    expect(xOf(late.components, 3)).toBe(333);
  });

  it("should not keep in the cache an entity the old leader relayed as deleted but never wrote", async () => {
    const run = await relayUnwritten(deleted());
    await takeOver(run);
    const { watermark, xs } = await cacheAfter(run);
    expect(watermark).toBeGreaterThanOrEqual(200);
    expect(xs.get(paddedId(3))).toBeUndefined();
  });

  it("should not show a tab opened after the handover an entity the old leader relayed as deleted", async () => {
    const run = await relayUnwritten(deleted());
    await takeOver(run);
    const late = tab(run.client, run.factory, run.locks, "c");
    await until(() => late.pipeline.getState().status === "streaming" && late.pipeline.metrics().cache?.tabRole === "follower");
    await pass(5_000);
    expect(xOf(late.components, 3)).toBeUndefined();
    expect(xOf(late.components, 1)).toBe(1);
  });

  it("should still write the relayed change when the follower was promoted while one of its own replays was in flight", async () => {
    const run = await relayUnwritten(changed(), HelloSpy);
    // The follower replays (the app forced it): it says hello, and the leader's tab closes before handling it.
    onHello = () => run.leader.pipeline.cancel();
    void run.follower.pipeline.forceReplay();
    await until(() => run.follower.pipeline.metrics().cache?.tabRole === "leader" && run.follower.pipeline.getState().status === "streaming");
    await until(() => (run.follower.pipeline.metrics().cache?.watermark ?? 0) >= 200);
    await pass(5_000);
    const { watermark, xs } = await cacheAfter(run);
    expect(watermark).toBeGreaterThanOrEqual(200);
    expect(xs.get(paddedId(3))).toBe(333);
  });
});
