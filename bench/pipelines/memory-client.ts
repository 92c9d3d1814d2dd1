import type { ToriiClientLike, ToriiPageLike, ToriiSubscriptionLike } from "../../src/sync/index";

type Callback = (...args: unknown[]) => void;

/**
 * An in-process Torii client: an empty snapshot and one subscription whose callback `emit` calls synchronously, one
 * entity per call like the wasm client. No wire, no wasm: the bench measures the pipeline, not the transport.
 */
export class BenchToriiClient implements ToriiClientLike {
  private callback: Callback | undefined;

  async getEntities(): Promise<ToriiPageLike> {
    return { items: [], next_cursor: undefined };
  }

  async onEntityUpdated(_clause: unknown, _worlds: string[] | undefined, callback: Callback): Promise<ToriiSubscriptionLike> {
    this.callback = callback;
    return {
      cancel: () => {
        this.callback = undefined;
      },
    };
  }

  emit(entity: unknown): void {
    if (this.callback === undefined) throw new Error("BenchToriiClient.emit before the pipeline subscribed");
    this.callback(entity);
  }
}
