import { useCallback, useSyncExternalStore } from "react";
import type { SqlMapStatus } from "../map/sql-types";
import { useSyncContext } from "./sync-context";

/** The SQL map source's health (`ok | stale | error`, its last error and refresh), or `undefined` without one. */
export function useSqlMapStatus(): SqlMapStatus | undefined {
  const { sqlMap } = useSyncContext("useSqlMapStatus");
  const subscribe = useCallback((listener: () => void) => sqlMap?.subscribe(listener) ?? (() => undefined), [sqlMap]);
  const read = (): SqlMapStatus | undefined => sqlMap?.getStatus();
  return useSyncExternalStore(subscribe, read, read);
}
