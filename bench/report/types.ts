import type { Environment } from "../measure/environment";
import type { Stat } from "../measure/timing";
import type { MapSizeResult } from "../scenarios/map-size";
import type { SoakInclusion } from "./soak";

/** How a column's numbers read in RESULTS.md; results.json keeps the raw numbers. */
export type Format = "ms" | "us" | "count" | "rate" | "bytes" | "ratio" | "text";

export type Cell = number | string | Stat | null;

export interface Column {
  readonly key: string;
  readonly label: string;
  readonly format: Format;
}

export interface Row {
  readonly pipeline: string;
  readonly values: Readonly<Record<string, Cell>>;
}

export interface Goal {
  readonly statement: string;
  readonly measured: number;
  /** "exactly": the measured figure must equal the target (a count computed from the workload). */
  readonly comparison: "at least" | "at most" | "exactly";
  readonly target: number;
  readonly format: Format;
  readonly met: boolean;
  /** A lower bar the issue accepts below the target ("≥ 5×, required ≥ 4×"), and whether it was reached. */
  readonly required?: { readonly target: number; readonly met: boolean };
}

export interface ScenarioReport {
  readonly id: string;
  readonly title: string;
  /** What was fed, in one or two sentences. */
  readonly workload: string;
  /** Facts about the generated workload (late updates, displacement …), measured from it. */
  readonly facts: Readonly<Record<string, number | string>>;
  readonly columns: readonly Column[];
  readonly rows: readonly Row[];
  readonly goals: readonly Goal[];
  readonly notes: readonly string[];
}

export interface BenchReport {
  readonly environment: Environment;
  readonly rounds: { readonly warmup: number; readonly measured: number };
  readonly durationS: number;
  readonly loadAverageAtEnd: number;
  readonly scenarios: readonly ScenarioReport[];
  /** The map scenarios' raw figures per size (every batch, build and rescan time), as the size's process measured them. */
  readonly map: readonly MapSizeResult[];
  /** Other scenarios' raw figures as measured (every run of every main-thread case, browser and end-to-end runs). */
  readonly raw: Readonly<Record<string, unknown>>;
  /** Whether bench/SOAK.md was there to include; the soak is its own command, never run by the bench. */
  readonly soak: SoakInclusion;
}

export function goal(statement: string, measured: number, comparison: Goal["comparison"], target: number, format: Format, required?: number): Goal {
  const reaches = (bar: number): boolean => (comparison === "at least" ? measured >= bar : comparison === "at most" ? measured <= bar : measured === bar);
  return { statement, measured, comparison, target, format, met: reaches(target), ...(required === undefined ? {} : { required: { target: required, met: reaches(required) } }) };
}
