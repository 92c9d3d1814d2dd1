import type { Meta, StoryObj } from "@storybook/react-vite";
import { expect, waitFor } from "storybook/test";
import {
  ERROR,
  harnessOf,
  LAGGING,
  recoverAfterReplay,
  REPLAYING,
  STREAMING,
  syncHarness,
  withSyncHarness,
} from "../../.storybook/sync-harness";
import { HardReloadPrompt } from "./HardReloadPrompt";

const meta = {
  title: "Sync/HardReloadPrompt",
  component: HardReloadPrompt,
  decorators: [withSyncHarness],
  parameters: { layout: "fullscreen" },
} satisfies Meta<typeof HardReloadPrompt>;

export default meta;
type Story = StoryObj<typeof meta>;

const TITLE = "The game lost sync with the server";

/** Healthy: no prompt. */
export const Streaming: Story = {
  loaders: [syncHarness(STREAMING)],
  play: async ({ canvas }) => {
    await expect(canvas.queryByRole("alertdialog")).toBeNull();
  },
};

/** Lagging is the banner's business, not the prompt's. */
export const Lagging: Story = {
  loaders: [syncHarness(LAGGING)],
  play: async ({ canvas }) => {
    await expect(canvas.queryByRole("alertdialog")).toBeNull();
  },
};

/** A replay within the budget: still no prompt. */
export const ReplayingWithProgress: Story = {
  loaders: [syncHarness(REPLAYING)],
  play: async ({ canvas }) => {
    await expect(canvas.queryByRole("alertdialog")).toBeNull();
  },
};

/** Budget spent: the dialog explains, focuses "Try again", and ignores Escape and outside clicks. */
export const ErrorState: Story = {
  name: "Error",
  loaders: [syncHarness(ERROR)],
  play: async ({ canvas, canvasElement, loaded, userEvent }) => {
    const dialog = await canvas.findByRole("alertdialog", { name: TITLE });
    await expect(dialog).toHaveAttribute("aria-modal", "true");
    await expect(dialog).toHaveAccessibleDescription(/could not catch up on its own.*Snapshot page 4 timed out/);
    const tryAgain = canvas.getByRole("button", { name: "Try again" });
    await waitFor(() => expect(tryAgain).toHaveFocus());

    await userEvent.keyboard("{Escape}");
    const overlay = canvasElement.querySelector<HTMLElement>("[data-tsg-prompt-overlay]");
    if (overlay !== null) await userEvent.click(overlay);
    await expect(canvas.getByRole("alertdialog", { name: TITLE })).toBeInTheDocument();
    await expect(tryAgain).toHaveFocus();

    await userEvent.tab();
    await expect(canvas.getByRole("button", { name: "Reload page" })).toHaveFocus();
    await userEvent.tab();
    await expect(tryAgain).toHaveFocus();

    await userEvent.click(canvas.getByRole("button", { name: "Reload page" }));
    await expect(harnessOf({ loaded }).reload).toHaveBeenCalledTimes(1);
  },
};

/** A forced retry is running while the status stays `error`: "Try again" is busy and does nothing more. */
export const RetryInProgress: Story = {
  loaders: [syncHarness({ ...ERROR, replayProgress: { pages: 1, entities: 250 } })],
  play: async ({ canvas, loaded, userEvent }) => {
    const busy = await canvas.findByRole("button", { name: "Trying again…" });
    await expect(busy).toHaveAttribute("aria-busy", "true");
    await expect(busy).toHaveAttribute("aria-disabled", "true");
    await waitFor(() => expect(busy).toHaveFocus());
    await userEvent.click(busy);
    await expect(harnessOf({ loaded }).forceReplay).not.toHaveBeenCalled();
  },
};

/** Recovered (error → streaming): "Try again" replays, shows progress as busy, and the prompt closes on success. */
export const Recovered: Story = {
  loaders: [syncHarness(ERROR, recoverAfterReplay)],
  play: async ({ canvas, loaded, userEvent }) => {
    await userEvent.click(await canvas.findByRole("button", { name: "Try again" }));
    await expect(harnessOf({ loaded }).forceReplay).toHaveBeenCalledTimes(1);
    await expect(canvas.getByRole("button", { name: "Trying again…" })).toHaveAttribute("aria-busy", "true");
    await waitFor(() => expect(canvas.queryByRole("alertdialog")).toBeNull(), { timeout: 3000 });
  },
};
