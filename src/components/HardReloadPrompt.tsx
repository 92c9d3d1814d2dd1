import {
  forwardRef,
  useId,
  useRef,
  useState,
  type ComponentPropsWithoutRef,
  type ForwardRefExoticComponent,
  type ForwardedRef,
  type MouseEvent,
  type ReactNode,
  type RefAttributes,
} from "react";
import type { SyncError } from "../core/errors";
import { useSyncActions } from "../hooks/useSyncActions";
import { useSyncState } from "../hooks/useSyncState";
import { composeEventHandlers, useComposedRefs } from "./primitives/compose";
import { cycleTab, useFocusTrap } from "./primitives/focus-trap";
import {
  PROMPT_ACTIONS_STYLE,
  PROMPT_DETAILS_STYLE,
  PROMPT_OVERLAY_STYLE,
  PROMPT_PRIMARY_STYLE,
  PROMPT_SECONDARY_STYLE,
  PROMPT_STYLE,
  PROMPT_TEXT_STYLE,
  PROMPT_TITLE_STYLE,
  withDefaultStyle,
} from "./primitives/styles";

/** Every string the prompt can show; pass any subset through `messages` to translate or reword. */
export interface HardReloadPromptMessages {
  /** @default "The game lost sync with the server" */
  readonly title: string;
  /** @default "The game stopped receiving updates and could not catch up on its own, so what you see may be out of date. Try again, or reload the page to start fresh." */
  readonly description: string;
  /** The line naming the last error. @default (error) => `Details: ${error.message} (${error.code})` */
  readonly details: (error: SyncError) => string;
  /** @default "Try again" */
  readonly tryAgain: string;
  /** The "Try again" label while a retry runs. @default "Trying again…" */
  readonly tryingAgain: string;
  /** @default "Reload page" */
  readonly reload: string;
}

export const HARD_RELOAD_PROMPT_MESSAGES: HardReloadPromptMessages = {
  title: "The game lost sync with the server",
  description:
    "The game stopped receiving updates and could not catch up on its own, so what you see may be out of date. Try again, or reload the page to start fresh.",
  details: (error) => `Details: ${error.message} (${error.code})`,
  tryAgain: "Try again",
  tryingAgain: "Trying again…",
  reload: "Reload page",
};

/** What the prompt knows, for a render-prop `children`. */
export interface HardReloadPromptView {
  readonly error: SyncError | undefined;
  /** A forced retry is running. */
  readonly busy: boolean;
  readonly replayAttempts: number;
}

export interface HardReloadPromptProps extends Omit<ComponentPropsWithoutRef<"div">, "children"> {
  /** What "Reload page" does. @default `hardReload` from useSyncActions (the provider's `onReload`, else location.reload()) */
  readonly onReload?: () => void;
  /** Overrides for any of the prompt's strings. @default HARD_RELOAD_PROMPT_MESSAGES */
  readonly messages?: Partial<HardReloadPromptMessages>;
  /** Drop the default inline styles (the `--tsg-prompt-*` variables); `className` and `style` still apply. @default false */
  readonly unstyled?: boolean;
  /** Props for the backdrop around the dialog (it swallows outside clicks). @default undefined */
  readonly overlayProps?: ComponentPropsWithoutRef<"div">;
  /** Custom body in place of the description: a node, or a function of what the prompt knows. */
  readonly children?: ReactNode | ((view: HardReloadPromptView) => ReactNode);
}

/**
 * The way out once the replay budget is spent: a modal alertdialog, shown only in `error` with `canHardReload`. Focus
 * starts on "Try again" (the least destructive action) and stays inside; neither Escape nor a click outside dismisses it,
 * because dismissing would leave the player looking at a stale world without knowing.
 */
export const HardReloadPrompt: ForwardRefExoticComponent<HardReloadPromptProps & RefAttributes<HTMLDivElement>> = forwardRef<
  HTMLDivElement,
  HardReloadPromptProps
>(function HardReloadPrompt(props, ref) {
  const open = useSyncState((state) => state.status === "error" && state.canHardReload);
  return open ? <HardReloadDialog {...props} forwardedRef={ref} /> : null;
});
HardReloadPrompt.displayName = "HardReloadPrompt";

interface HardReloadDialogProps extends HardReloadPromptProps {
  readonly forwardedRef: ForwardedRef<HTMLDivElement>;
}

function HardReloadDialog(props: HardReloadDialogProps): ReactNode {
  const { forwardedRef, onReload, messages, unstyled = false, overlayProps, children, style, onKeyDown, ...rest } = props;
  const { error, retrying, replayAttempts } = useSyncState((state) => ({
    error: state.lastError,
    // A forced retry from `error` reports progress while the status stays `error`.
    retrying: state.replayProgress !== undefined,
    replayAttempts: state.replayAttempts,
  }));
  const { forceReplay, hardReload } = useSyncActions();
  const [pending, setPending] = useState(false);
  const busy = pending || retrying;
  // Once pressed, "Reload page" is on its way: a second press must not run the app's onReload (a save, a sign-out) again.
  const [reloading, setReloading] = useState(false);
  const reloadPressed = useRef(false);

  const dialog = useRef<HTMLDivElement>(null);
  const tryAgainButton = useRef<HTMLButtonElement>(null);
  const dialogRef = useComposedRefs(dialog, forwardedRef);
  useFocusTrap(dialog, tryAgainButton);

  const id = useId();
  const titleId = `${id}-title`;
  const descriptionId = `${id}-description`;
  const detailsId = `${id}-details`;
  const text = messages === undefined ? HARD_RELOAD_PROMPT_MESSAGES : { ...HARD_RELOAD_PROMPT_MESSAGES, ...messages };

  const tryAgain = (): void => {
    if (busy) return;
    setPending(true);
    // The outcome shows up in the state (streaming closes the prompt); the promise only ends the busy state.
    forceReplay()
      .catch(() => undefined)
      .finally(() => setPending(false));
  };
  const reload = (): void => {
    if (reloadPressed.current) return;
    reloadPressed.current = true;
    setReloading(true);
    hardReload(onReload);
  };
  const swallowOutsidePress = (event: MouseEvent<HTMLDivElement>): void => {
    // Keeps focus where it was: a press on the backdrop must not blur the dialog.
    if (event.target === event.currentTarget) event.preventDefault();
  };

  const view: HardReloadPromptView = { error, busy, replayAttempts };
  return (
    <div
      data-tsg-prompt-overlay=""
      {...overlayProps}
      style={withDefaultStyle(unstyled, PROMPT_OVERLAY_STYLE, overlayProps?.style)}
      onMouseDown={composeEventHandlers(overlayProps?.onMouseDown, swallowOutsidePress)}
    >
      <div
        role="alertdialog"
        aria-modal="true"
        aria-labelledby={titleId}
        aria-describedby={error === undefined ? descriptionId : `${descriptionId} ${detailsId}`}
        tabIndex={-1}
        data-tsg-prompt=""
        data-state={busy ? "retrying" : "open"}
        {...rest}
        ref={dialogRef}
        style={withDefaultStyle(unstyled, PROMPT_STYLE, style)}
        onKeyDown={composeEventHandlers(onKeyDown, cycleTab)}
      >
        <h2 id={titleId} style={unstyled ? undefined : PROMPT_TITLE_STYLE}>
          {text.title}
        </h2>
        <div id={descriptionId} style={unstyled ? undefined : PROMPT_TEXT_STYLE}>
          {typeof children === "function" ? children(view) : (children ?? text.description)}
        </div>
        {error === undefined ? null : (
          <p id={detailsId} data-tsg-prompt-details="" style={unstyled ? undefined : PROMPT_DETAILS_STYLE}>
            {text.details(error)}
          </p>
        )}
        <div data-tsg-prompt-actions="" style={unstyled ? undefined : PROMPT_ACTIONS_STYLE}>
          <button
            ref={tryAgainButton}
            type="button"
            data-tsg-action="try-again"
            // aria-disabled, not disabled: a disabled button drops focus to <body>, out of the modal.
            aria-disabled={busy || undefined}
            aria-busy={busy || undefined}
            style={unstyled ? undefined : { ...PROMPT_PRIMARY_STYLE, ...(busy ? { cursor: "progress" } : null) }}
            onClick={tryAgain}
          >
            {busy ? text.tryingAgain : text.tryAgain}
          </button>
          <button
            type="button"
            data-tsg-action="reload"
            aria-disabled={reloading || undefined}
            style={unstyled ? undefined : PROMPT_SECONDARY_STYLE}
            onClick={reload}
          >
            {text.reload}
          </button>
        </div>
      </div>
    </div>
  );
}
