import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { DemoSessionHandle } from "./support/demo-page";
import { closeBrowser, flip, openDemo, peak, screenshot, view, waitForInSync, waitForView, watchPeak } from "./support/demo-page";

/**
 * Each chaos switch of the demo, flipped in the page as a visitor would: the SDK must notice (its status leaves
 * streaming or a replay is counted) and heal until its RECS world equals the server's again.
 */
describe("the demo (npm start): chaos switches", () => {
  let session: DemoSessionHandle;

  beforeAll(async () => {
    session = await openDemo();
  });
  afterAll(async () => {
    await session?.close();
    await closeBrowser();
  });
  beforeEach(async () => {
    // Every test starts calm and in sync.
    const { active } = await view(session.page);
    if (active.split(" ").some((id) => id !== "" && id !== "pause")) await flip(session.page, "heal");
    if (active.includes("pause")) await flip(session.page, "pause");
    await waitForView(session.page, "v.active === ''");
    await waitForInSync(session.page);
  });

  /** The SDK noticed: the status left streaming, or a replay was counted. */
  async function detected(replaysBefore: number, timeoutMs = 15_000): Promise<void> {
    await waitForView(session.page, `v.status !== 'streaming' || v.replays > ${replaysBefore}`, timeoutMs);
  }

  it("stall (drop): should notice the silent stream by probing, catch up by replay, and after Resume find what was lost since by itself", async () => {
    const { page } = session;
    const before = await view(page);
    await flip(page, "stall-drop");
    await detected(before.replays);
    // Still stalled: each replay brings the world back to the server's.
    await waitForInSync(page, 20_000, 1);
    // The stall goes on dropping: the page differs from the server again before Resume.
    await waitForView(page, "v.ours > 0", 10_000);
    await flip(page, "resume");
    await waitForView(page, "!v.active.includes('stall-drop')");
    // Updates dropped between the SDK's last replay and Resume carry no signal (no reconnect, no silence): the audit of
    // the server's recent writes and scope count, run while the stream flows, finds them and replays by itself.
    await waitForInSync(page, 20_000);
  });

  it("stall (hold): should catch up by replay on a new subscription, and stay in sync when Resume releases what was held", async () => {
    const { page } = session;
    const before = await view(page);
    await flip(page, "stall-hold");
    await detected(before.replays);
    await waitForInSync(page, 20_000, 1);
    await flip(page, "resume");
    await waitForView(page, "!v.active.includes('stall-hold')");
    await waitForInSync(page, 20_000);
  });

  it("break connections: should take the client's reconnect signal as a gap and replay", async () => {
    const { page } = session;
    const before = await view(page);
    await flip(page, "break");
    await detected(before.replays);
    await waitForInSync(page);
  });

  it("restart with downtime: should leave streaming while Torii is down and replay once it is back", async () => {
    const { page } = session;
    await flip(page, "restart");
    await waitForView(page, "v.status !== 'streaming'", 15_000);
    await waitForView(page, "!v.active.includes('restart')", 20_000);
    await waitForInSync(page, 40_000);
  });

  it("slow replay: should show the ResyncBanner while the replay drags on, then clear it", async () => {
    const { page } = session;
    const before = await view(page);
    await flip(page, "slow-pages");
    await detected(before.replays);
    await waitForView(page, "v.banner === 'visible'", 15_000);
    await screenshot(page, "resync-banner");
    await waitForInSync(page, 30_000);
    await waitForView(page, "v.banner === 'hidden'", 10_000);
  });

  it("failing pages: should retry with backoff within the budget and recover by itself", async () => {
    const { page } = session;
    const before = await view(page);
    await flip(page, "fail-pages");
    await detected(before.replays);
    await waitForInSync(page, 30_000);
    expect((await view(page)).prompt).toBe(false);
  });

  it("failing pages while the naive side reloads: its failure is shown, nothing goes uncaught", async () => {
    const { page } = session;
    const uncaught: string[] = [];
    const onError = (error: Error): void => {
      uncaught.push(error.message);
    };
    page.on("pageerror", onError);
    try {
      await flip(page, "fail-pages");
      // getSyncEntities has no retry: its first page fails and it rejects.
      await page.click('[data-testid="naive-reload"]');
      await page.waitForSelector('[data-testid="naive-failed"]', { timeout: 20_000 });
      await waitForInSync(page, 30_000);
      expect(uncaught).toEqual([]);
    } finally {
      page.off("pageerror", onError);
    }
    // The next reload, with the pages healed, clears the note.
    await page.click('[data-testid="naive-reload"]');
    await page.waitForSelector('[data-testid="naive-failed"]', { state: "detached", timeout: 20_000 });
  });

  it("persistent failure: should spend the budget, show the HardReloadPrompt, and recover through Try again", async () => {
    const { page } = session;
    await flip(page, "spend-budget");
    await waitForView(page, "v.status === 'error' && v.prompt", 30_000);
    await screenshot(page, "hard-reload-prompt");
    // The prompt is modal: the demo offers the heal switch inside it.
    await page.click('[data-testid="prompt-heal"]');
    await waitForView(page, "!v.active.includes('spend-budget')", 10_000);
    await page.click('[data-tsg-action="try-again"]');
    await waitForView(page, "!v.prompt", 20_000);
    await waitForInSync(page, 20_000);
  });

  it("reorder and duplicates: the naive pipeline should keep stale values while the SDK's difference stays 0", async () => {
    const { page } = session;
    // A clean start for the naive side: getSyncEntities pages, then subscribes, and loses what changed in between,
    // so it is reloaded while the chain is paused.
    await flip(page, "pause");
    await waitForView(page, "v.active.includes('pause')");
    await page.click('[data-testid="naive-reload"]');
    const reloaded = await view(page);
    await waitForView(page, `v.naive === 0 && v.naiveTiles > 0 && v.checks >= ${reloaded.checks + 4}`, 20_000);
    await flip(page, "pause");

    await watchPeak(page, "difference-ours");
    await flip(page, "reorder");
    await waitForView(page, "v.active.includes('reorder')");
    const diverged = await waitForView(page, "v.naive > 0", 45_000);
    // Let the naive side show its drift on a few more comparisons; the SDK must stay exact throughout.
    await waitForView(page, `v.checks >= ${diverged.checks + 4}`);
    await screenshot(page, "reorder");
    expect(await peak(page, "difference-ours")).toBe(0);
    expect((await view(page)).ours).toBe(0);
    await flip(page, "reorder");
    await waitForInSync(page);
  });
});
