import type { Meta, StoryObj } from "@storybook/react-vite";
import { expect, waitFor, within } from "storybook/test";
import { ERROR, harnessOf, LAGGING, recoverAfterReplay, REPLAYING, STREAMING, syncHarness, withSyncHarness } from "../../.storybook/sync-harness";
import { SyncDebugPanel } from "./SyncDebugPanel";

const meta = {
  title: "Sync/SyncDebugPanel",
  component: SyncDebugPanel,
  decorators: [withSyncHarness],
} satisfies Meta<typeof SyncDebugPanel>;

export default meta;
type Story = StoryObj<typeof meta>;

/** The value shown next to a term, as a reader of the panel finds it. */
function valueOf(panel: HTMLElement, term: string): string {
  const dt = within(panel).getByText(term, { selector: "dt" });
  return dt.nextElementSibling?.textContent ?? "";
}

export const Streaming: Story = {
  loaders: [syncHarness(STREAMING)],
  play: async ({ canvas, loaded, userEvent }) => {
    const panel = canvas.getByRole("region", { name: "Sync debug" });
    await expect(valueOf(panel, "Status")).toBe("streaming");
    await expect(valueOf(panel, "Connection")).toBe("open");
    await expect(valueOf(panel, "Received")).toBe("18432");
    await expect(valueOf(panel, "Queue (depth / high water)")).toBe("4 / 310");
    await expect(valueOf(panel, "Last replay")).toBe("1840 ms");
    await expect(valueOf(panel, "Last error")).toBe("none");
    await userEvent.click(canvas.getByRole("button", { name: "Force replay" }));
    await expect(harnessOf({ loaded }).forceReplay).toHaveBeenCalledTimes(1);
  },
};

export const Lagging: Story = {
  loaders: [syncHarness(LAGGING)],
  play: async ({ canvas }) => {
    const panel = canvas.getByRole("region", { name: "Sync debug" });
    await expect(valueOf(panel, "Status")).toBe("lagging");
    await expect(valueOf(panel, "Lag")).toBe("42000 ms");
  },
};

export const ReplayingWithProgress: Story = {
  loaders: [syncHarness(REPLAYING)],
  play: async ({ canvas }) => {
    const panel = canvas.getByRole("region", { name: "Sync debug" });
    await expect(valueOf(panel, "Status")).toBe("replaying");
    await expect(valueOf(panel, "Replay attempts")).toBe("1");
  },
};

export const ErrorState: Story = {
  name: "Error",
  loaders: [syncHarness(ERROR)],
  play: async ({ canvas }) => {
    const panel = canvas.getByRole("region", { name: "Sync debug" });
    await expect(valueOf(panel, "Status")).toBe("error");
    await expect(valueOf(panel, "Last error")).toBe("SYNC_PAGE_TIMEOUT");
    await expect(valueOf(panel, "Replay attempts")).toBe("3");
  },
};

/** Recovered (error → streaming) after "Force replay": the figures follow the store. */
export const Recovered: Story = {
  loaders: [syncHarness(ERROR, recoverAfterReplay)],
  play: async ({ canvas, userEvent }) => {
    const panel = canvas.getByRole("region", { name: "Sync debug" });
    await userEvent.click(canvas.getByRole("button", { name: "Force replay" }));
    await waitFor(() => expect(valueOf(panel, "Status")).toBe("streaming"), { timeout: 3000 });
    await expect(valueOf(panel, "Last error")).toBe("none");
  },
};
