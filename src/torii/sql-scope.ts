/**
 * The SQL watermark of what one client syncs: the newest `internal_executed_at` and the number of rows over the model
 * tables it binds, narrowed by its clause where SQL can say the same thing. Rows of models the game does not bind never
 * count, so they neither block a replay nor look like lag. Torii keeps one table per model (`"namespace-Model"`) with
 * `internal_entity_id` and `internal_executed_at` (the block time of that model's last write), and `entities.keys` as
 * each key in padded hex followed by `/`.
 */

const KEY_DIGITS = 64;
const HEX = /^0x[0-9a-fA-F]{1,64}$/;
const TAG = /^[A-Za-z0-9_]{1,128}-[A-Za-z0-9_]{1,128}$/;

/** A WHERE condition on `internal_entity_id`, or `undefined` when the clause has no SQL equivalent here. */
type Condition = string | undefined;

const ALL = "1 = 1";

export interface ScopedWatermarkQuery {
  readonly sql: string;
  /** The models counted (the bound ones, narrowed by a top-level Keys clause's model list). */
  readonly models: readonly string[];
  /** The synced scope's writes with a block time in `(from, to]` (seconds), as rows `{ id, model, at }`. */
  recentWrites(fromSeconds: number, toSeconds: number, limit: number): string;
}

/**
 * The watermark query for `models` under `clause`, or `undefined` when the clause cannot be expressed in SQL (a Member
 * clause, say): then the caller must not compare SQL figures with what it holds.
 */
export function scopedWatermarkQuery(models: readonly string[], clause: unknown): ScopedWatermarkQuery | undefined {
  let scoped = models.filter((model) => TAG.test(model));
  const keysModels = topLevelKeysModels(clause);
  if (keysModels !== undefined && keysModels.length > 0) scoped = scoped.filter((model) => keysModels.includes(model));
  const condition = clause === undefined || clause === null ? ALL : conditionOf(clause, true);
  if (condition === undefined) return undefined;
  if (scoped.length === 0) return { sql: "SELECT NULL AS newest, 0 AS n", models: [], recentWrites: () => "SELECT NULL AS id, NULL AS model, NULL AS at WHERE 1 = 0" };
  const parts = scoped.map(
    (model) => `SELECT MAX(internal_executed_at) AS newest, COUNT(*) AS n FROM ${quoteIdentifier(model)} WHERE internal_entity_id IS NOT NULL AND (${condition})`,
  );
  return {
    sql: `SELECT MAX(newest) AS newest, SUM(n) AS n FROM (${parts.join(" UNION ALL ")})`,
    models: scoped,
    recentWrites(fromSeconds, toSeconds, limit) {
      // Torii's DATETIME text ('YYYY-MM-DD HH:MM:SS', UTC) sorts like the number it stands for.
      const window = `internal_executed_at > '${sqlDatetime(fromSeconds)}' AND internal_executed_at <= '${sqlDatetime(toSeconds)}'`;
      const rows = scoped.map(
        (model) =>
          `SELECT internal_entity_id AS id, '${model}' AS model, internal_executed_at AS at FROM ${quoteIdentifier(model)} WHERE internal_entity_id IS NOT NULL AND (${condition}) AND ${window}`,
      );
      return `${rows.join(" UNION ALL ")} LIMIT ${Math.max(1, Math.floor(limit))}`;
    },
  };
}

function sqlDatetime(seconds: number): string {
  return new Date(Math.max(0, seconds) * 1000).toISOString().slice(0, 19).replace("T", " ");
}

function topLevelKeysModels(clause: unknown): readonly string[] | undefined {
  const keys = (clause as { Keys?: { models?: unknown } } | null)?.Keys;
  return Array.isArray(keys?.models) ? (keys.models as string[]) : undefined;
}

function conditionOf(clause: unknown, topLevel: boolean): Condition {
  if (clause === null || typeof clause !== "object") return undefined;
  const c = clause as { HashedKeys?: unknown; Keys?: unknown; Composite?: unknown };
  if (Array.isArray(c.HashedKeys)) return hashedKeysCondition(c.HashedKeys);
  if (c.Keys !== undefined) return keysCondition(c.Keys, topLevel);
  if (c.Composite !== undefined) return compositeCondition(c.Composite);
  // Member clauses compare stored member columns whose SQL encoding depends on the type: not translated.
  return undefined;
}

function hashedKeysCondition(ids: readonly unknown[]): Condition {
  // Torii: an empty list matches every entity.
  if (ids.length === 0) return ALL;
  const padded = ids.map(padKey);
  if (padded.some((id) => id === undefined)) return undefined;
  return `internal_entity_id IN (${padded.map((id) => `'${id}'`).join(", ")})`;
}

function keysCondition(raw: unknown, topLevel: boolean): Condition {
  const keys = raw as { keys?: unknown; pattern_matching?: unknown; models?: unknown };
  if (!Array.isArray(keys.keys) || (keys.pattern_matching !== "FixedLen" && keys.pattern_matching !== "VariableLen")) return undefined;
  // A nested Keys clause that lists models would need a join on Torii's model ids: not translated.
  if (!topLevel && Array.isArray(keys.models) && keys.models.length > 0) return undefined;
  let pattern = "";
  for (const key of keys.keys as unknown[]) {
    if (key === undefined || key === null || key === "") pattern += `${"_".repeat(2 + KEY_DIGITS)}/`;
    else {
      const padded = padKey(key);
      if (padded === undefined) return undefined;
      pattern += `${padded}/`;
    }
  }
  if (keys.pattern_matching === "VariableLen") pattern += "%";
  return `internal_entity_id IN (SELECT id FROM entities WHERE keys LIKE '${pattern}')`;
}

function compositeCondition(raw: unknown): Condition {
  const composite = raw as { operator?: unknown; clauses?: unknown };
  if ((composite.operator !== "And" && composite.operator !== "Or") || !Array.isArray(composite.clauses)) return undefined;
  // Torii: an empty And matches everything, an empty Or nothing.
  if (composite.clauses.length === 0) return composite.operator === "And" ? ALL : "1 = 0";
  const parts: string[] = [];
  for (const inner of composite.clauses as unknown[]) {
    const condition = conditionOf(inner, false);
    if (condition === undefined) return undefined;
    parts.push(`(${condition})`);
  }
  return parts.join(composite.operator === "And" ? " AND " : " OR ");
}

/** `0x` and 64 lowercase hex digits, as Torii stores ids and keys; `undefined` for anything that is not a felt. */
function padKey(raw: unknown): string | undefined {
  if (typeof raw === "bigint") return raw < 0n ? undefined : `0x${raw.toString(16).padStart(KEY_DIGITS, "0")}`;
  if (typeof raw !== "string" || !HEX.test(raw)) return undefined;
  return `0x${raw.slice(2).toLowerCase().padStart(KEY_DIGITS, "0")}`;
}

function quoteIdentifier(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}
