import type { Meta, StoryObj } from "@storybook/react-vite";
import type { CSSProperties } from "react";
import { expect, waitFor } from "storybook/test";
import { ERROR, harnessOf, LAGGING, REPLAYING, STREAMING, syncHarness, withSyncHarness } from "../../.storybook/sync-harness";
import { ResyncBanner } from "./ResyncBanner";

// Shorter than the defaults (2000 / 1500) so the stories, which run as tests, stay quick; the behaviour is the same.
const DELAY = 600;
const MIN_VISIBLE = 800;
const LAGGING_TEXT = "Connection to the game server is lagging, catching up…";

const meta = {
  title: "Sync/ResyncBanner",
  component: ResyncBanner,
  decorators: [withSyncHarness],
  args: { delayMs: DELAY, minVisibleMs: MIN_VISIBLE, showResyncButton: true },
} satisfies Meta<typeof ResyncBanner>;

export default meta;
type Story = StoryObj<typeof meta>;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Healthy: the live region is there, empty, and stays empty. */
export const Streaming: Story = {
  loaders: [syncHarness(STREAMING)],
  play: async ({ canvas }) => {
    const region = canvas.getByRole("status");
    await expect(region).toBeEmptyDOMElement();
    await sleep(DELAY + 200);
    await expect(region).toBeEmptyDOMElement();
  },
};

/** Lagging longer than the delay: the banner says so and offers "Resync now". */
export const Lagging: Story = {
  loaders: [syncHarness(LAGGING)],
  play: async ({ canvas, loaded, userEvent }) => {
    const region = canvas.getByRole("status");
    await expect(region).toBeEmptyDOMElement();
    await waitFor(() => expect(region).toHaveTextContent(LAGGING_TEXT), { timeout: DELAY * 4 });
    await userEvent.click(canvas.getByRole("button", { name: "Resync now" }));
    await expect(harnessOf({ loaded }).forceReplay).toHaveBeenCalledTimes(1);
  },
};

/** Replaying: the banner counts what has arrived, and the same region updates as pages land. */
export const ReplayingWithProgress: Story = {
  loaders: [syncHarness(REPLAYING)],
  play: async ({ canvas, loaded }) => {
    const region = canvas.getByRole("status");
    await waitFor(() => expect(region).toHaveTextContent("Resyncing with the game server… 1200 entities (3 pages)"), {
      timeout: DELAY * 4,
    });
    harnessOf({ loaded }).store.setState({ replayProgress: { pages: 4, entities: 1650 } });
    await waitFor(() => expect(canvas.getByRole("status")).toHaveTextContent("1650 entities (4 pages)"));
    await expect(canvas.getByRole("status")).toBe(region);
    // A replay is already running: the button rests instead of vanishing.
    await expect(canvas.getByRole("button", { name: "Resync now" })).toHaveAttribute("aria-disabled", "true");
  },
};

/** In `error` the banner stays out of the way: <HardReloadPrompt> takes over. */
export const ErrorState: Story = {
  name: "Error",
  loaders: [syncHarness(ERROR)],
  play: async ({ canvas }) => {
    await sleep(DELAY + 200);
    await expect(canvas.getByRole("status")).toBeEmptyDOMElement();
  },
};

/** Recovered (error → streaming): nothing to say at either end, so the banner never shows. */
export const Recovered: Story = {
  loaders: [syncHarness(ERROR)],
  play: async ({ canvas, loaded }) => {
    harnessOf({ loaded }).store.setState({ ...STREAMING, lastError: undefined, canHardReload: false });
    await sleep(DELAY + 200);
    await expect(canvas.getByRole("status")).toBeEmptyDOMElement();
  },
};

/** Recovering while shown: the banner says so and stays its minimum time, then empties. */
export const RecoveredWhileShown: Story = {
  loaders: [syncHarness(LAGGING)],
  play: async ({ canvas, loaded }) => {
    const region = canvas.getByRole("status");
    await waitFor(() => expect(region).toHaveTextContent(LAGGING_TEXT), { timeout: DELAY * 4 });
    harnessOf({ loaded }).store.setState({ ...STREAMING });
    await waitFor(() => expect(region).toHaveTextContent("Back in sync with the game server."));
    await waitFor(() => expect(region).toBeEmptyDOMElement(), { timeout: MIN_VISIBLE * 4 });
  },
};

/** Restyled through CSS variables only, and reworded through `messages`. */
export const Themed: Story = {
  loaders: [syncHarness(LAGGING)],
  args: {
    delayMs: 0,
    messages: { lagging: "La connexion au serveur de jeu est lente, rattrapage…", resyncNow: "Resynchroniser" },
    style: { "--tsg-banner-bg": "#e0f2fe", "--tsg-banner-fg": "#0c4a6e", "--tsg-banner-border": "#0369a1" } as CSSProperties,
  },
  play: async ({ canvas }) => {
    await waitFor(() => expect(canvas.getByRole("status")).toHaveTextContent("La connexion au serveur de jeu est lente"));
    await expect(canvas.getByRole("button", { name: "Resynchroniser" })).toBeVisible();
  },
};
