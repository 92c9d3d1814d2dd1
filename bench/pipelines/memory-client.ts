import type { ToriiClientLike, ToriiPageLike, ToriiQuery, ToriiSubscriptionLike } from "../../src/sync/index";

type Callback = (...args: unknown[]) => void;

export interface BenchSnapshotOptions {
  /**
   * Answer the whole snapshot in one page whatever limit the pipeline asks for (a Torii configured with a large page,
   * or a client that pages for the caller). Otherwise pages honour `pagination.limit` and the cursor. @default false
   */
  readonly onePage?: boolean;
  /** Called as the last page of a snapshot is handed over (before the pipeline reads it). */
  readonly onLastPage?: () => void;
}

/**
 * An in-process Torii client: a snapshot served in pages (empty unless given) and one subscription whose callback
 * `emit` calls synchronously, one entity per call like the wasm client. No wire, no wasm: the bench measures the
 * pipeline, not the transport.
 */
export class BenchToriiClient implements ToriiClientLike {
  /** Pages answered so far. */
  pagesServed = 0;
  private callback: Callback | undefined;
  private snapshot: readonly unknown[];

  constructor(
    snapshot: readonly unknown[] = [],
    private readonly options: BenchSnapshotOptions = {},
  ) {
    this.snapshot = snapshot;
  }

  /** What the next replay reads (e.g. a snapshot that lacks some entities, for reconciliation to remove). */
  setSnapshot(snapshot: readonly unknown[]): void {
    this.snapshot = snapshot;
  }

  async getEntities(query?: ToriiQuery): Promise<ToriiPageLike> {
    this.pagesServed += 1;
    const from = Number(query?.pagination.cursor ?? 0);
    const limit = this.options.onePage === true ? this.snapshot.length : (query?.pagination.limit ?? this.snapshot.length);
    const to = Math.min(this.snapshot.length, from + Math.max(1, limit));
    const last = to >= this.snapshot.length;
    if (last) this.options.onLastPage?.();
    // A copy, as the wasm client decodes each page into a new array.
    return { items: this.snapshot.slice(from, to), next_cursor: last ? undefined : String(to) };
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
