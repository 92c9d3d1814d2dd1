import {
  forwardRef,
  useCallback,
  useRef,
  type ComponentPropsWithoutRef,
  type ForwardRefExoticComponent,
  type ReactNode,
  type RefAttributes,
} from "react";
import type { ReplayProgress, SyncStatus } from "../core/state";
import { useSyncActions } from "../hooks/useSyncActions";
import { useSyncState } from "../hooks/useSyncState";
import { BANNER_BUTTON_BUSY_STYLE, BANNER_BUTTON_STYLE, BANNER_STYLE, withDefaultStyle } from "./primitives/styles";
import { useHysteresis } from "./primitives/use-hysteresis";

/** Every string the banner can show; pass any subset through `messages` to translate or reword. */
export interface ResyncBannerMessages {
  /** @default "Connection to the game server is lagging, catching up…" */
  readonly lagging: string;
  /** A replay that has reported progress. @default (p) => "Resyncing with the game server… N entities (P pages)" */
  readonly replaying: (progress: ReplayProgress) => string;
  /** A replay before its first page. @default "Resyncing with the game server…" */
  readonly replayStarting: string;
  /** Shown for the rest of the minimum time when the sync recovers while the banner is up. @default "Back in sync with the game server." */
  readonly recovered: string;
  /** The label of the button that replays now. @default "Resync now" */
  readonly resyncNow: string;
}

export const RESYNC_BANNER_MESSAGES: ResyncBannerMessages = {
  lagging: "Connection to the game server is lagging, catching up…",
  replaying: ({ entities, pages }) =>
    `Resyncing with the game server… ${entities} ${entities === 1 ? "entity" : "entities"} (${pages} ${pages === 1 ? "page" : "pages"})`,
  replayStarting: "Resyncing with the game server…",
  recovered: "Back in sync with the game server.",
  resyncNow: "Resync now",
};

/** What the banner is saying, for a render-prop `children`. */
export interface ResyncBannerView {
  /** `recovered`: the status is healthy again but the banner is still inside its minimum time. */
  readonly phase: "lagging" | "replaying" | "recovered";
  readonly status: SyncStatus;
  readonly progress: ReplayProgress | undefined;
  /** The default (or `messages`-overridden) text for this phase. */
  readonly message: string;
  readonly forceReplay: () => Promise<void>;
}

export interface ResyncBannerProps extends Omit<ComponentPropsWithoutRef<"div">, "children"> {
  /** How long `lagging` or `replaying` must last before the banner shows; a shorter blip never does. @default 2000 */
  readonly delayMs?: number;
  /** Once shown, the banner stays at least this long, even if the sync recovers sooner. @default 1500 */
  readonly minVisibleMs?: number;
  /** Offer a "Resync now" button that calls `forceReplay` while lagging (it rests, busy, while the replay runs). @default false */
  readonly showResyncButton?: boolean;
  /** Overrides for any of the banner's strings. @default RESYNC_BANNER_MESSAGES */
  readonly messages?: Partial<ResyncBannerMessages>;
  /** Drop the default inline styles (the `--tsg-banner-*` variables); `className` and `style` still apply. @default false */
  readonly unstyled?: boolean;
  /** Custom content while shown: a node replaces the message, a function receives what the banner would say. */
  readonly children?: ReactNode | ((view: ResyncBannerView) => ReactNode);
}

/**
 * A polite live region for "the game is catching up". The region is always in the DOM and only its content changes, so
 * screen readers announce it; it shows after `delayMs` of lagging or replaying and stays at least `minVisibleMs`. In
 * `error` it steps aside at once: <HardReloadPrompt> takes over.
 */
export const ResyncBanner: ForwardRefExoticComponent<ResyncBannerProps & RefAttributes<HTMLDivElement>> = forwardRef<
  HTMLDivElement,
  ResyncBannerProps
>(function ResyncBanner(props, ref) {
  const { delayMs = 2000, minVisibleMs = 1500, showResyncButton = false, messages, unstyled = false, children, style, ...rest } = props;
  const { status, progress } = useSyncState((state) => ({ status: state.status, progress: state.replayProgress }));
  const { forceReplay } = useSyncActions();
  const visible = useHysteresis(status === "lagging" || status === "replaying", {
    delayMs,
    minVisibleMs,
    // `error` belongs to the prompt; `idle` is a pipeline stopped (cancelled, unmounted): nothing is "back in sync".
    suppressed: status === "error" || status === "idle",
  });

  // The region, for the forwarded ref and for keeping focus when the button goes.
  const region = useRef<HTMLDivElement | null>(null);
  const setRegion = useCallback(
    (node: HTMLDivElement | null) => {
      region.current = node;
      if (typeof ref !== "function") {
        if (ref !== null) ref.current = node;
        return undefined;
      }
      // A callback ref may return a cleanup (React 19), which React then runs instead of calling it with null.
      const cleanup: unknown = (ref as (node: HTMLDivElement | null) => unknown)(node);
      if (typeof cleanup !== "function") return undefined;
      return () => {
        region.current = null;
        (cleanup as () => void)();
      };
    },
    [ref],
  );
  // Whether the region shows in the render being committed (read by the button's ref below, before layout effects).
  const shows = useRef(false);
  shows.current = visible;
  // The button leaves when the sync recovers: if it had focus and the banner still shows, the region takes it, so a
  // keyboard user stays where they were instead of at the top of the page. React detaches a removed element's ref
  // before it removes the element, so the button still has focus when this runs. A banner that hides at once (error:
  // the prompt takes focus; stopped) leaves focus to the browser: an empty region is no place for it.
  const button = useRef<HTMLButtonElement | null>(null);
  const setButton = useCallback((node: HTMLButtonElement | null) => {
    const leaving = button.current;
    button.current = node;
    if (node !== null || leaving === null || !shows.current) return;
    // The root's active element: the document's, or a shadow root's when the banner renders inside one.
    if ((leaving.getRootNode() as Document | ShadowRoot).activeElement === leaving) region.current?.focus({ preventScroll: true });
  }, []);

  const text = messages === undefined ? RESYNC_BANNER_MESSAGES : { ...RESYNC_BANNER_MESSAGES, ...messages };
  const phase: ResyncBannerView["phase"] = status === "lagging" ? "lagging" : status === "replaying" ? "replaying" : "recovered";
  const message =
    phase === "lagging"
      ? text.lagging
      : phase === "replaying"
        ? progress === undefined
          ? text.replayStarting
          : text.replaying(progress)
        : text.recovered;

  let content: ReactNode = null;
  if (visible) {
    const view: ResyncBannerView = { phase, status, progress, message, forceReplay };
    content = (
      <>
        <span data-tsg-banner-message="">{typeof children === "function" ? children(view) : (children ?? message)}</span>
        {showResyncButton && phase !== "recovered" ? (
          <button
            ref={setButton}
            type="button"
            data-tsg-action="resync"
            // Once the replay runs the button stays (a vanished button would drop a keyboard user's focus) but rests;
            // aria-disabled, not disabled, for the same reason.
            aria-disabled={phase === "replaying" || undefined}
            aria-busy={phase === "replaying" || undefined}
            style={unstyled ? undefined : phase === "replaying" ? BANNER_BUTTON_BUSY_STYLE : BANNER_BUTTON_STYLE}
            // The outcome shows up in the state; a rejection here has nothing left to tell the user.
            onClick={phase === "lagging" ? () => void forceReplay().catch(() => undefined) : undefined}
          >
            {text.resyncNow}
          </button>
        ) : null}
      </>
    );
  }

  return (
    <div
      role="status"
      aria-live="polite"
      data-tsg-banner=""
      data-state={visible ? "visible" : "hidden"}
      data-phase={visible ? phase : undefined}
      // Focusable from script only (never in the tab order): where focus goes when the button leaves.
      tabIndex={-1}
      {...rest}
      ref={setRegion}
      // Hidden, the region keeps no box of its own: it must stay in the DOM to announce, not to take space.
      style={visible ? withDefaultStyle(unstyled, BANNER_STYLE, style) : style}
    >
      {content}
    </div>
  );
});
ResyncBanner.displayName = "ResyncBanner";
