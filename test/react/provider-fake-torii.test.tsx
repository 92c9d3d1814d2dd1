import { createWorld } from "@dojoengine/recs";
import { act, render, screen } from "@testing-library/react";
import { StrictMode } from "react";
import { describe, expect, it } from "vitest";
import { releaseAfterEach } from "../support/release-after-each";
import { SyncProvider } from "../../src/components/SyncProvider";
import { useSyncState } from "../../src/hooks/useSyncState";
import type { ToriiClientLike } from "../../src/torii/client-types";
import { connectToriiClient, defineBlitzComponents, startFakeTorii, waitFor, type FakeTorii, type WasmToriiClient } from "torii-sync-guard/testing";

const torii = releaseAfterEach();
let fake: FakeTorii | undefined;
let client: WasmToriiClient | undefined;

function Status() {
  return <span data-testid="status">{useSyncState((s) => s.status)}</span>;
}

describe("<SyncProvider> with the real client against the fake Torii", () => {
  it("should leave one set of subscriptions on the server under StrictMode, and none after the final unmount", async () => {
    fake = torii.fake(await startFakeTorii({ seed: 51, world: { seed: 51 } }));
    client = torii.client(await connectToriiClient(fake));
    const world = createWorld();
    const components = defineBlitzComponents(world);
    const view = render(
      <StrictMode>
        <SyncProvider client={client as unknown as ToriiClientLike} world={world} components={components} options={{ worldAddresses: [fake.worldAddress] }}>
          <Status />
        </SyncProvider>
      </StrictMode>,
    );
    await act(() => waitFor(() => screen.getByTestId("status").textContent === "streaming", { timeoutMs: 10_000 }));
    // StrictMode mounted, unmounted and mounted again: the first pipeline's subscription is gone from the server.
    await waitFor(() => fake?.stats().subscribers === 1, { description: "one subscriber" });
    expect(fake.stats().subscribers).toBe(1);
    expect(fake.stats().requests.SubscribeEntities).toBe(2);
    view.unmount();
    await waitFor(() => fake?.stats().subscribers === 0, { description: "no subscriber after unmount" });
    expect(fake.stats().openStreams).toBe(0);
  });
});
