import type { Meta, StoryObj } from "@storybook/react-vite";
import { expect, waitFor, within } from "storybook/test";
import { ARMY_ENTITY, ERROR, harnessOf, LAGGING, recoverAfterReplay, REPLAYING, SAMPLE_EVENTS, STREAMING, syncHarness, withSyncHarness } from "../../.storybook/sync-harness";
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

/** Paste an id (minimal hex is fine), press Enter: the entity's ledger per model and its RECS values. */
export const EntityLookup: Story = {
  loaders: [syncHarness(STREAMING, undefined, { entities: [ARMY_ENTITY] })],
  play: async ({ canvas, userEvent }) => {
    const input = canvas.getByRole("textbox", { name: "Entity id" });
    await userEvent.type(input, "0x2A{Enter}");
    const ledger = await canvas.findByRole("table", { name: "Ledger" });
    const rows = within(ledger).getAllByRole("row");
    await expect(rows).toHaveLength(4);
    await expect(within(ledger).getByRole("rowheader", { name: "s1_eternum-Battle (deleted)" })).toBeInTheDocument();
    await expect(within(ledger).getByRole("cell", { name: "explored 1764590401" })).toBeInTheDocument();
    await expect(canvas.getByRole("heading", { name: "RECS values" })).toBeInTheDocument();
    await expect(canvas.getByText(/"troops": "500n"/)).toBeInTheDocument();
  },
};

/** An id the ledger does not hold, then one that is not hex: each says so, next to the field. */
export const EntityLookupMisses: Story = {
  loaders: [syncHarness(STREAMING, undefined, { entities: [ARMY_ENTITY] })],
  play: async ({ canvas, userEvent }) => {
    const input = canvas.getByRole("textbox", { name: "Entity id" });
    await userEvent.type(input, "0x99{Enter}");
    await expect(await canvas.findByText(`Nothing synced for 0x${"99".padStart(64, "0")}.`)).toBeInTheDocument();
    await userEvent.clear(input);
    await userEvent.type(input, "army 42{Enter}");
    await expect(input).toHaveAttribute("aria-invalid", "true");
    await expect(input).toHaveAccessibleDescription("Enter a 0x-prefixed hex id of at most 64 digits.");
  },
};

/** What happened before the panel mounted, newest first, then each new event as it happens. */
export const RecentEvents: Story = {
  loaders: [syncHarness(STREAMING, undefined, { events: SAMPLE_EVENTS })],
  play: async ({ canvas, loaded }) => {
    const list = canvas.getByRole("list", { name: "Recent events" });
    const items = within(list).getAllByRole("listitem");
    await expect(items).toHaveLength(SAMPLE_EVENTS.length);
    await expect(items[0]).toHaveTextContent("12:01:15.010 rejected SYNC_BAD_VALUE in s1_eternum-Army");
    await expect(items.at(-1)).toHaveTextContent("12:00:00.000 replay_started attempt 1: boot");
    harnessOf({ loaded }).pipeline.emit({ type: "overflow", at: Date.UTC(2026, 11, 1, 12, 2, 0), dropped: 4_096 });
    await waitFor(() => expect(within(list).getAllByRole("listitem")[0]).toHaveTextContent("12:02:00.000 overflow 4096 pending entities dropped"));
  },
};

/** No events yet: the list's place says so. */
export const NoEventsYet: Story = {
  loaders: [syncHarness(STREAMING)],
  play: async ({ canvas }) => {
    await expect(canvas.getByRole("heading", { name: "Recent events" })).toBeInTheDocument();
    await expect(canvas.getByText("No events yet.")).toBeInTheDocument();
  },
};
