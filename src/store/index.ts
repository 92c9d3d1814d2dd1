// The React side's view of the pipeline's one store: selectors read `{ sync, metrics }` through `viewOf`.
export { createIdleStore, viewOf } from "./sync-view";
export type { SyncStoreState } from "./sync-view";
