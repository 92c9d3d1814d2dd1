// @vitest-environment node
import { renderToString } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { SyncProvider } from "../../src/components/SyncProvider";
import { useSyncState } from "../../src/hooks/useSyncState";
import { MemoryToriiClient } from "../support/memory-client";
import { createTestWorld } from "../support/world";

function Status() {
  return <span>{useSyncState((s) => s.status)}</span>;
}

describe("server rendering", () => {
  it("should render <SyncProvider> where there is no window or document", () => {
    expect(typeof (globalThis as { window?: unknown }).window).toBe("undefined");
    const { world, components } = createTestWorld();
    const html = renderToString(
      <SyncProvider client={new MemoryToriiClient()} world={world} components={components}>
        <Status />
      </SyncProvider>,
    );
    expect(html).toBe("<span>idle</span>");
  });
});
