import { act, cleanup, fireEvent, render, renderHook, screen } from "@testing-library/react";
import userEventLib from "@testing-library/user-event";
import { createRef, type CSSProperties } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createStore } from "zustand/vanilla";
import { HardReloadPrompt } from "../../src/components/HardReloadPrompt";
import { SyncProvider } from "../../src/components/SyncProvider";
import { ResyncBanner } from "../../src/components/ResyncBanner";
import { SyncDebugPanel } from "../../src/components/SyncDebugPanel";
import { SyncError } from "../../src/core/errors";
import { emptyMetrics } from "../../src/core/metrics";
import type { PipelineSnapshot } from "../../src/core/publisher";
import type { SyncPipeline } from "../../src/sync/create-sync-pipeline";
import { INITIAL_SYNC_STATE, type SyncState } from "../../src/core/state";
import { SYNC_GUARD_DEFAULTS } from "../../src/core/sync-guard-config";
import type { SyncStatus } from "../../src/core/state";
import { useSyncActions } from "../../src/hooks/useSyncActions";
import { useSyncMetrics, useSyncState } from "../../src/hooks/useSyncState";
import { createSyncFixture, SPENT_BUDGET } from "../browser/sync-fixture";

const LAGGING_TEXT = "Connection to the game server is lagging, catching up…";

afterEach(() => {
  cleanup();
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const advance = (ms: number): void => {
  act(() => {
    vi.advanceTimersByTime(ms);
  });
};

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

describe("ResyncBanner", () => {
  // Only the banner runs on time; user-event (used for the prompt) waits on real timers.
  beforeEach(() => {
    vi.useFakeTimers();
  });

  it("should render an empty polite status region while streaming", () => {
    const { wrap } = createSyncFixture({ status: "streaming" });
    render(wrap(<ResyncBanner />));
    const region = screen.getByRole("status");
    expect(region).toHaveAttribute("aria-live", "polite");
    expect(region).toBeEmptyDOMElement();
    advance(10_000);
    expect(region).toBeEmptyDOMElement();
  });

  it("should never show a blip shorter than the delay", () => {
    const { store, wrap } = createSyncFixture({ status: "streaming" });
    render(wrap(<ResyncBanner />));
    act(() => store.setState({ status: "lagging" }));
    advance(1999);
    act(() => store.setState({ status: "streaming" }));
    advance(10_000);
    expect(screen.getByRole("status")).toBeEmptyDOMElement();
  });

  it("should say the connection is lagging once lagging lasts the delay", () => {
    const { store, wrap } = createSyncFixture({ status: "streaming" });
    render(wrap(<ResyncBanner />));
    act(() => store.setState({ status: "lagging" }));
    advance(1999);
    expect(screen.getByRole("status")).toBeEmptyDOMElement();
    advance(1);
    expect(screen.getByRole("status")).toHaveTextContent(LAGGING_TEXT);
  });

  it("should count replay progress in the same region as pages land", () => {
    const { store, wrap } = createSyncFixture({ status: "replaying", replayProgress: { pages: 3, entities: 1200 } });
    render(wrap(<ResyncBanner />));
    const region = screen.getByRole("status");
    advance(2000);
    expect(region).toHaveTextContent("Resyncing with the game server… 1200 entities (3 pages)");
    act(() => store.setState({ replayProgress: { pages: 4, entities: 1650 } }));
    expect(screen.getByRole("status")).toBe(region);
    expect(region).toHaveTextContent("Resyncing with the game server… 1650 entities (4 pages)");
  });

  it("should stay the minimum time when the status recovers right after it showed", () => {
    const { store, wrap } = createSyncFixture({ status: "lagging" });
    render(wrap(<ResyncBanner />));
    advance(2000);
    expect(screen.getByRole("status")).toHaveTextContent(LAGGING_TEXT);
    act(() => store.setState({ status: "streaming" }));
    expect(screen.getByRole("status")).toHaveTextContent("Back in sync with the game server.");
    advance(1499);
    expect(screen.getByRole("status")).not.toBeEmptyDOMElement();
    advance(1);
    expect(screen.getByRole("status")).toBeEmptyDOMElement();
  });

  it("should not cut a long episode short, and should wait the full delay again next time", () => {
    const { store, wrap } = createSyncFixture({ status: "lagging" });
    render(wrap(<ResyncBanner />));
    advance(2000);
    advance(5000);
    act(() => store.setState({ status: "streaming" }));
    // Shown for 5 s already: the minimum is met, so it hides at once.
    expect(screen.getByRole("status")).toBeEmptyDOMElement();
    act(() => store.setState({ status: "lagging" }));
    advance(1999);
    expect(screen.getByRole("status")).toBeEmptyDOMElement();
    advance(1);
    expect(screen.getByRole("status")).toHaveTextContent(LAGGING_TEXT);
  });

  it("should stay empty in error and step aside at once when error takes over", () => {
    const { store, wrap } = createSyncFixture({ status: "lagging" });
    render(wrap(<ResyncBanner />));
    advance(2000);
    expect(screen.getByRole("status")).toHaveTextContent(LAGGING_TEXT);
    act(() => store.setState(SPENT_BUDGET));
    expect(screen.getByRole("status")).toBeEmptyDOMElement();
    advance(10_000);
    expect(screen.getByRole("status")).toBeEmptyDOMElement();
  });

  it("should leave no timer behind when unmounted mid-delay or mid-hold", () => {
    const first = createSyncFixture({ status: "lagging" });
    const view = render(first.wrap(<ResyncBanner />));
    expect(vi.getTimerCount()).toBeGreaterThan(0);
    view.unmount();
    expect(vi.getTimerCount()).toBe(0);

    const second = createSyncFixture({ status: "lagging" });
    const shown = render(second.wrap(<ResyncBanner />));
    advance(2000);
    act(() => second.store.setState({ status: "streaming" }));
    expect(vi.getTimerCount()).toBeGreaterThan(0);
    shown.unmount();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("should offer 'Resync now' only when asked, replay from it while lagging, and let it rest during the replay", () => {
    const plain = createSyncFixture({ status: "lagging" });
    const { unmount } = render(plain.wrap(<ResyncBanner />));
    advance(2000);
    expect(screen.queryByRole("button")).toBeNull();
    unmount();

    const { store, forceReplay, wrap } = createSyncFixture({ status: "lagging" });
    render(wrap(<ResyncBanner showResyncButton />));
    advance(2000);
    const button = screen.getByRole("button", { name: "Resync now" });
    button.focus();
    fireEvent.click(button);
    expect(forceReplay).toHaveBeenCalledTimes(1);

    // The replay starts: the button keeps its place and focus, but rests.
    act(() => store.setState({ status: "replaying", replayProgress: { pages: 1, entities: 5 } }));
    expect(button).toHaveFocus();
    expect(button).toHaveAttribute("aria-disabled", "true");
    expect(button).toHaveAttribute("aria-busy", "true");
    fireEvent.click(button);
    expect(forceReplay).toHaveBeenCalledTimes(1);
  });

  it("should forward its ref, spread props, compose onClick and take className", () => {
    const { wrap } = createSyncFixture({ status: "lagging" });
    const ref = createRef<HTMLDivElement>();
    const onClick = vi.fn();
    render(wrap(<ResyncBanner ref={ref} className="game-banner" data-testid="banner" id="sync-banner" onClick={onClick} />));
    const region = screen.getByTestId("banner");
    expect(ref.current).toBe(region);
    expect(region).toHaveClass("game-banner");
    expect(region).toHaveAttribute("id", "sync-banner");
    advance(2000);
    fireEvent.click(region);
    expect(onClick).toHaveBeenCalledTimes(1);
  });

  it("should take every string through messages and custom content through children", () => {
    const { store, wrap } = createSyncFixture({ status: "lagging" });
    const { rerender } = render(
      wrap(<ResyncBanner showResyncButton messages={{ lagging: "Verbindung hängt…", resyncNow: "Jetzt synchronisieren" }} />),
    );
    advance(2000);
    expect(screen.getByRole("status")).toHaveTextContent("Verbindung hängt…");
    expect(screen.getByRole("button", { name: "Jetzt synchronisieren" })).toBeInTheDocument();

    act(() => store.setState({ status: "replaying", replayProgress: { pages: 2, entities: 10 } }));
    rerender(wrap(<ResyncBanner>{(view) => `${view.phase}: ${view.progress?.entities ?? 0} / ${view.message}`}</ResyncBanner>));
    expect(screen.getByRole("status")).toHaveTextContent("replaying: 10 / Resyncing with the game server… 10 entities (2 pages)");
  });

  it("should style through overridable CSS variables, and drop them when unstyled", () => {
    const { wrap } = createSyncFixture({ status: "lagging" });
    const { rerender } = render(wrap(<ResyncBanner style={{ fontWeight: 700 }} />));
    advance(2000);
    const region = screen.getByRole("status");
    expect(region.style.background).toContain("var(--tsg-banner-bg");
    expect(region.style.fontWeight).toBe("700");
    rerender(wrap(<ResyncBanner unstyled style={{ fontWeight: 700 } as CSSProperties} />));
    expect(region.style.background).toBe("");
    expect(region.style.fontWeight).toBe("700");
  });
});

describe("HardReloadPrompt", () => {
  it.each<[string, SyncStatus, boolean]>([
    ["idle", "idle", false],
    ["streaming", "streaming", false],
    ["lagging", "lagging", false],
    ["replaying", "replaying", false],
    ["error before the budget is spent", "error", false],
    ["streaming with a stale canHardReload", "streaming", true],
  ])("should not appear while %s", (_label, status, canHardReload) => {
    const { wrap } = createSyncFixture({ status, canHardReload });
    render(wrap(<HardReloadPrompt />));
    expect(screen.queryByRole("alertdialog")).toBeNull();
  });

  it("should open as a labelled modal alertdialog once the budget is spent, naming the error", () => {
    const { wrap } = createSyncFixture(SPENT_BUDGET);
    render(wrap(<HardReloadPrompt />));
    const dialog = screen.getByRole("alertdialog", { name: "The game lost sync with the server" });
    expect(dialog).toHaveAttribute("aria-modal", "true");
    expect(dialog).toHaveAccessibleDescription(/could not catch up on its own/);
    expect(dialog).toHaveAccessibleDescription(/Details: The subscription never settled\. Check that Torii is reachable\. \(SYNC_SUBSCRIBE_TIMEOUT\)/);
  });

  it("should put focus on 'Try again', the least destructive action", () => {
    const { wrap } = createSyncFixture(SPENT_BUDGET);
    render(wrap(<HardReloadPrompt />));
    expect(screen.getByRole("button", { name: "Try again" })).toHaveFocus();
  });

  it("should appear when the status turns to error with the budget spent", () => {
    const { store, wrap } = createSyncFixture({ status: "replaying" });
    render(wrap(<HardReloadPrompt />));
    expect(screen.queryByRole("alertdialog")).toBeNull();
    act(() => store.setState(SPENT_BUDGET));
    expect(screen.getByRole("alertdialog")).toBeInTheDocument();
  });

  it("should call forceReplay from 'Try again' and stay busy until it settles", async () => {
    const { forceReplay, wrap } = createSyncFixture(SPENT_BUDGET);
    const replay = deferred();
    forceReplay.mockReturnValueOnce(replay.promise);
    render(wrap(<HardReloadPrompt />));
    fireEvent.click(screen.getByRole("button", { name: "Try again" }));
    expect(forceReplay).toHaveBeenCalledTimes(1);
    const busy = screen.getByRole("button", { name: "Trying again…" });
    expect(busy).toHaveAttribute("aria-busy", "true");
    expect(busy).toHaveAttribute("aria-disabled", "true");
    fireEvent.click(busy);
    expect(forceReplay).toHaveBeenCalledTimes(1);
    await act(async () => replay.resolve());
    expect(screen.getByRole("button", { name: "Try again" })).not.toHaveAttribute("aria-busy");
  });

  it("should show a forced retry that reports progress while still in error as busy", () => {
    const { store, forceReplay, wrap } = createSyncFixture(SPENT_BUDGET);
    render(wrap(<HardReloadPrompt />));
    act(() => store.setState({ replayProgress: { pages: 1, entities: 50 } }));
    const busy = screen.getByRole("button", { name: "Trying again…" });
    expect(busy).toHaveAttribute("aria-busy", "true");
    expect(busy).toHaveFocus();
    fireEvent.click(busy);
    expect(forceReplay).not.toHaveBeenCalled();
    act(() => store.setState({ status: "streaming", replayProgress: undefined, canHardReload: false, lastError: undefined }));
    expect(screen.queryByRole("alertdialog")).toBeNull();
  });

  it("should call onReload from 'Reload page'", () => {
    const { reload, wrap } = createSyncFixture(SPENT_BUDGET);
    const onReload = vi.fn();
    render(wrap(<HardReloadPrompt onReload={onReload} />));
    fireEvent.click(screen.getByRole("button", { name: "Reload page" }));
    expect(onReload).toHaveBeenCalledTimes(1);
    expect(reload).not.toHaveBeenCalled();
  });

  it("should fall back to the provider's hardReload without onReload", () => {
    const { reload, wrap } = createSyncFixture(SPENT_BUDGET);
    render(wrap(<HardReloadPrompt />));
    fireEvent.click(screen.getByRole("button", { name: "Reload page" }));
    expect(reload).toHaveBeenCalledTimes(1);
  });

  it("should not be dismissed by Escape or a click outside", async () => {
    const { forceReplay, reload, wrap } = createSyncFixture(SPENT_BUDGET);
    const user = userEventLib.setup();
    render(wrap(<HardReloadPrompt />));
    await user.keyboard("{Escape}");
    const overlay = document.querySelector<HTMLElement>("[data-tsg-prompt-overlay]");
    expect(overlay).not.toBeNull();
    // The backdrop covers the page, so a click "outside" lands on it.
    if (overlay !== null) await user.click(overlay);
    expect(screen.getByRole("alertdialog")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Try again" })).toHaveFocus();
    expect(forceReplay).not.toHaveBeenCalled();
    expect(reload).not.toHaveBeenCalled();
  });

  it("should compose onKeyDown, forward its ref, spread props and reword through messages", () => {
    const { wrap } = createSyncFixture(SPENT_BUDGET);
    const ref = createRef<HTMLDivElement>();
    const onKeyDown = vi.fn();
    render(
      wrap(
        <HardReloadPrompt
          ref={ref}
          className="prompt"
          data-testid="prompt"
          onKeyDown={onKeyDown}
          messages={{ title: "Synchronisation perdue", tryAgain: "Réessayer", reload: "Recharger", details: (e) => `Code : ${e.code}` }}
        />,
      ),
    );
    const dialog = screen.getByRole("alertdialog", { name: "Synchronisation perdue" });
    expect(ref.current).toBe(dialog);
    expect(dialog).toBe(screen.getByTestId("prompt"));
    expect(dialog).toHaveClass("prompt");
    expect(dialog).toHaveAccessibleDescription(/Code : SYNC_SUBSCRIBE_TIMEOUT/);
    const retry = screen.getByRole("button", { name: "Réessayer" });
    expect(retry).toHaveFocus();
    fireEvent.keyDown(retry, { key: "Tab", shiftKey: true });
    expect(onKeyDown).toHaveBeenCalledTimes(1);
    expect(screen.getByRole("button", { name: "Recharger" })).toHaveFocus();
  });

  it("should let a user's onKeyDown opt out of the Tab cycle with preventDefault", () => {
    const { wrap } = createSyncFixture(SPENT_BUDGET);
    render(wrap(<HardReloadPrompt onKeyDown={(event) => event.preventDefault()} />));
    fireEvent.keyDown(screen.getByRole("button", { name: "Try again" }), { key: "Tab", shiftKey: true });
    expect(screen.getByRole("button", { name: "Try again" })).toHaveFocus();
  });

  it("should render custom body text and drop default styles when unstyled", () => {
    const { wrap } = createSyncFixture(SPENT_BUDGET);
    render(wrap(<HardReloadPrompt unstyled>{({ replayAttempts }) => `Gave up after ${replayAttempts} attempts.`}</HardReloadPrompt>));
    const dialog = screen.getByRole("alertdialog");
    expect(dialog).toHaveAccessibleDescription(/Gave up after 3 attempts\./);
    expect(dialog.getAttribute("style")).toBeNull();
  });
});

describe("SyncDebugPanel", () => {
  const valueOf = (term: string): string | null | undefined => screen.getByText(term, { selector: "dt" }).nextElementSibling?.textContent;

  it("should show the status, connection, lag, attempts, last error code and metrics", () => {
    const { wrap } = createSyncFixture({
      ...SPENT_BUDGET,
      lagMs: 1234,
      metrics: {
        received: 10,
        applied: 8,
        droppedStale: 1,
        rejected: 1,
        queueDepth: 2,
        queueHighWater: 50,
        overflows: 0,
        gaps: 3,
        replays: 4,
        lastReplayMs: 987,
        probes: 6,
      },
    });
    render(wrap(<SyncDebugPanel />));
    expect(screen.getByRole("region", { name: "Sync debug" })).toBeInTheDocument();
    expect(valueOf("Status")).toBe("error");
    expect(valueOf("Connection")).toBe("closed");
    expect(valueOf("Lag")).toBe("1234 ms");
    expect(valueOf("Replay attempts")).toBe("3");
    expect(valueOf("Last error")).toBe("SYNC_SUBSCRIBE_TIMEOUT");
    expect(valueOf("Received")).toBe("10");
    expect(valueOf("Applied")).toBe("8");
    expect(valueOf("Dropped (stale)")).toBe("1");
    expect(valueOf("Rejected")).toBe("1");
    expect(valueOf("Queue (depth / high water)")).toBe("2 / 50");
    expect(valueOf("Replays")).toBe("4");
    expect(valueOf("Last replay")).toBe("987 ms");
    expect(valueOf("Gaps")).toBe("3");
    expect(valueOf("Probes")).toBe("6");
  });

  it("should follow the store and call forceReplay from 'Force replay'", () => {
    const { store, forceReplay, wrap } = createSyncFixture({ status: "streaming", connection: "open" });
    render(wrap(<SyncDebugPanel />));
    expect(valueOf("Last error")).toBe("none");
    expect(valueOf("Last replay")).toBe("none");
    act(() => store.setState({ status: "lagging", lastError: new SyncError("SYNC_PROBE_FAILED", "Probe failed.") }));
    expect(valueOf("Status")).toBe("lagging");
    expect(valueOf("Last error")).toBe("SYNC_PROBE_FAILED");
    fireEvent.click(screen.getByRole("button", { name: "Force replay" }));
    expect(forceReplay).toHaveBeenCalledTimes(1);
  });

  it("should forward its ref, spread props, compose onClick and take labels", () => {
    const { forceReplay, wrap } = createSyncFixture({ status: "streaming" });
    const ref = createRef<HTMLElement>();
    const onClick = vi.fn();
    render(
      wrap(
        <SyncDebugPanel
          ref={ref}
          className="debug"
          data-testid="debug"
          onClick={onClick}
          unstyled
          labels={{ region: "Diagnostic", status: "État", forceReplay: "Rejouer", statusNames: { idle: "inactif", replaying: "relecture", streaming: "en direct", lagging: "en retard", error: "erreur" } }}
        />,
      ),
    );
    const panel = screen.getByRole("region", { name: "Diagnostic" });
    expect(ref.current).toBe(panel);
    expect(panel).toHaveClass("debug");
    expect(panel.getAttribute("style")).toBeNull();
    expect(valueOf("État")).toBe("en direct");
    fireEvent.click(screen.getByRole("button", { name: "Rejouer" }));
    expect(onClick).toHaveBeenCalledTimes(1);
    expect(forceReplay).toHaveBeenCalledTimes(1);
  });
});

describe("under the real <SyncProvider>", () => {
  /** A pipeline the app owns, with a state the test moves and listeners the provider subscribes. */
  function ownedPipeline(): { pipeline: SyncPipeline; move: (patch: Partial<SyncState>) => void } {
    let state: SyncState = { ...INITIAL_SYNC_STATE, status: "streaming", connection: "open" };
    const listeners = new Set<(next: SyncState, previous: SyncState) => void>();
    const store = createStore<PipelineSnapshot>()(() => ({ sync: state, metrics: emptyMetrics() }));
    const pipeline: SyncPipeline = {
      start: async () => undefined,
      ready: Promise.resolve(),
      getState: () => state,
      subscribe: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      store,
      subscribeApplied: () => () => undefined,
      subscribeAdmitted: () => () => undefined,
      entityVersion: () => undefined,
      subscribeEvents: () => () => undefined,
      reportHardReload: () => undefined,
      inspectEntity: () => undefined,
      forceReplay: vi.fn(async () => undefined),
      cancel: () => undefined,
      metrics: () => emptyMetrics(),
      inspect: () => ({
        state,
        metrics: emptyMetrics(),
        ledger: {
          entities: { entities: 0, models: 0, tombstones: 0, memberVersions: 0 },
          events: { entities: 0, models: 0, tombstones: 0, memberVersions: 0 },
        },
        openStreams: 1,
        replaying: false,
        config: SYNC_GUARD_DEFAULTS,
      }),
    };
    const move = (patch: Partial<SyncState>): void => {
      const previous = state;
      state = { ...state, ...patch };
      store.setState({ sync: state });
      listeners.forEach((listener) => listener(state, previous));
    };
    return { pipeline, move };
  }

  it("should open the prompt when the pipeline spends its budget, and reload through the provider's onReload", async () => {
    const { pipeline, move } = ownedPipeline();
    const onReload = vi.fn();
    render(
      <SyncProvider pipeline={pipeline} onReload={onReload}>
        <ResyncBanner />
        <HardReloadPrompt />
      </SyncProvider>,
    );
    expect(screen.queryByRole("alertdialog")).toBeNull();
    act(() => move(SPENT_BUDGET as Partial<SyncState>));
    expect(await screen.findByRole("alertdialog")).toBeInTheDocument();
    expect(screen.getByRole("status")).toBeEmptyDOMElement();
    fireEvent.click(screen.getByRole("button", { name: "Try again" }));
    expect(pipeline.forceReplay).toHaveBeenCalledTimes(1);
    fireEvent.click(screen.getByRole("button", { name: "Reload page" }));
    expect(onReload).toHaveBeenCalledTimes(1);
    act(() => move({ status: "streaming", canHardReload: false, lastError: undefined }));
    expect(screen.queryByRole("alertdialog")).toBeNull();
  });
});

describe("outside <SyncProvider>", () => {
  beforeEach(() => {
    // React reports the render error on the console before rethrowing it; the assertion is the throw.
    vi.spyOn(console, "error").mockImplementation(() => undefined);
  });

  it("should throw from useSyncState with a message naming the provider", () => {
    expect(() => renderHook(() => useSyncState())).toThrow("useSyncState must be used inside <SyncProvider>");
  });

  it("should throw from useSyncActions with a message naming the provider", () => {
    expect(() => renderHook(() => useSyncActions())).toThrow("useSyncActions must be used inside <SyncProvider>");
  });

  it("should throw from useSyncMetrics with a message naming the provider", () => {
    expect(() => renderHook(() => useSyncMetrics())).toThrow("useSyncMetrics must be used inside <SyncProvider>");
  });

  it.each([
    ["ResyncBanner", <ResyncBanner key="banner" />],
    ["HardReloadPrompt", <HardReloadPrompt key="prompt" />],
    ["SyncDebugPanel", <SyncDebugPanel key="panel" />],
  ])("should make %s throw the same message", (_name, element) => {
    expect(() => render(element)).toThrow("must be used inside <SyncProvider>");
  });
});
