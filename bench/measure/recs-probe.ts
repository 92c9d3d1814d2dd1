import { getComponentValue, type Entity } from "@dojoengine/recs";
import type { Truth } from "../workload/entities";
import type { BenchComponent } from "../workload/models";

export interface WriteCounter {
  readonly count: () => number;
  readonly stop: () => void;
}

/**
 * Count RECS writes the way a game observes them: one `update$` event per setComponent/updateComponent/removeComponent.
 * Attached the same way to every pipeline, so each pays the same for one subscriber.
 */
export function countWrites(components: readonly BenchComponent[]): WriteCounter {
  let writes = 0;
  const subscriptions = components.map((component) =>
    component.update$.subscribe(() => {
      writes += 1;
    }),
  );
  return { count: () => writes, stop: () => subscriptions.forEach((subscription) => subscription.unsubscribe()) };
}

export interface StaleCount {
  /** Entity × models whose visible value differs from the truth in any member, or is missing. */
  readonly stale: number;
  readonly checked: number;
}

/**
 * Compare what a game would read (`getComponentValue`) with the state after every update applied in true order, for
 * every entity × model. `ids` is the spelling the pipeline under test writes under.
 */
export function countStale(components: readonly BenchComponent[], truth: Truth, ids: readonly string[]): StaleCount {
  let stale = 0;
  let checked = 0;
  ids.forEach((id, entity) => {
    components.forEach((component, model) => {
      const expected = truth[entity * components.length + model];
      const actual = getComponentValue(component, id as Entity) as Record<string, unknown> | undefined;
      checked += 1;
      if (expected === undefined) {
        if (actual !== undefined) stale += 1;
        return;
      }
      if (actual === undefined || Object.keys(expected).some((member) => actual[member] !== expected[member])) stale += 1;
    });
  });
  return { stale, checked };
}
