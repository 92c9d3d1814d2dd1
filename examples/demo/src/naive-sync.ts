import { createWorld, type Component, type Metadata, type Schema } from "@dojoengine/recs";
import { getSyncEntities } from "@dojoengine/state";
import type { Clause, ToriiClient } from "@dojoengine/torii-client";
import type { MapProjection } from "torii-sync-guard";
import { blitzMapProjection, defineBlitzComponents, type BlitzComponentName, type DojoComponent } from "torii-sync-guard/testing/browser";

/** The pipeline games use today, in its own RECS world with its own components, on the same Torii. */
export interface NaiveSync {
  readonly components: Readonly<Record<BlitzComponentName, DojoComponent>>;
  readonly projection: MapProjection;
  /** Resolves once the snapshot is in and the subscription is open; rejects if getSyncEntities fails. */
  readonly ready: Promise<void>;
  stop(): void;
}

/**
 * `getSyncEntities` from @dojoengine/state, as a game calls it: it pages the snapshot, then subscribes (updates in
 * between are lost), and applies every update in arrival order with no version check.
 */
export function startNaiveSync(client: ToriiClient): NaiveSync {
  const world = createWorld();
  const components = defineBlitzComponents(world);
  const projection = blitzMapProjection(components);
  projection.start();
  let stopped = false;
  let handle: { cancel(): void } | undefined;
  const subscription = getSyncEntities(
    client,
    Object.values(components) as unknown as Component<Schema, Metadata, undefined>[],
    // No clause: the whole world, the same scope the SDK syncs here.
    undefined as unknown as Clause,
  );
  const ready = subscription.then((opened) => {
    // Stopped while subscribing: the subscription must not outlive the panel.
    if (stopped) opened.cancel();
    else handle = opened;
  });
  // getSyncEntities rejects when a page fails (it has no retry): the panel shows it, nothing goes uncaught.
  ready.catch(() => undefined);
  return {
    components,
    projection,
    ready,
    stop() {
      if (stopped) return;
      stopped = true;
      projection.stop();
      // cancel() consumes the handle: exactly once.
      handle?.cancel();
      handle = undefined;
      world.dispose();
    },
  };
}
