/**
 * The SQL watermark of what one client syncs: the newest `internal_executed_at` and the number of rows over the model
 * tables it binds, narrowed by its clause where SQL can say the same thing. Rows of models the game does not bind never
 * count, so they neither block a replay nor look like lag. Torii keeps one table per model (`"namespace-Model"`) with
 * `internal_entity_id` (the entity id as Rust's `{:#x}`: minimal hex, `0x371c…`) and `internal_executed_at` (the block
 * time of that model's last write, as RFC 3339 text: `2026-12-03T10:00:00+00:00`), and `entities.keys` as each key in
 * minimal hex followed by `/` (torii-sqlite's `felts_to_sql_string`, `utc_dt_string_from_timestamp`).
 */

const KEY_DIGITS = 64;
/** The key count of an `entities.keys` text (each key ends with `/`). */
const KEY_COUNT = "(length(keys) - length(replace(keys, '/', '')))";
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
      // Compared as seconds, not as text: Torii writes RFC 3339 ('…T10:00:00+00:00'), other setups 'YYYY-MM-DD HH:MM:SS',
      // and a bound in the other spelling missed every write of its own day ('T' sorts after ' ').
      // A number (unix seconds, as some setups keep) would be a Julian day to strftime: taken as it is.
      const at = "(CASE WHEN typeof(internal_executed_at) IN ('integer', 'real') THEN CAST(internal_executed_at AS INTEGER) ELSE CAST(strftime('%s', internal_executed_at) AS INTEGER) END)";
      const window = `${at} > ${wholeSeconds(fromSeconds)} AND ${at} <= ${wholeSeconds(toSeconds)}`;
      const rows = scoped.map(
        (model) =>
          `SELECT internal_entity_id AS id, '${model}' AS model, internal_executed_at AS at FROM ${quoteIdentifier(model)} WHERE internal_entity_id IS NOT NULL AND (${condition}) AND ${window}`,
      );
      return `${rows.join(" UNION ALL ")} LIMIT ${Math.max(1, Math.floor(limit))}`;
    },
  };
}

function wholeSeconds(seconds: number): number {
  return Number.isFinite(seconds) ? Math.max(0, Math.floor(seconds)) : 0;
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
  const felts = ids.map(feltOf);
  if (felts.some((id) => id === undefined)) return undefined;
  // Torii stores minimal hex; the padded spelling too, for a store that keeps ids as getEntityIdFromKeys spells them.
  const spellings = (felts as bigint[]).flatMap((felt) => [minimalHex(felt), paddedHex(felt)]);
  return `internal_entity_id IN (${spellings.map((id) => `'${id}'`).join(", ")})`;
}

/**
 * Torii matches keys with a regex (`build_keys_pattern`): each given key exactly, a missing one any felt, and with
 * VariableLen any keys after them; no keys at all stand for one wildcard. LIKE says the same where every wildcard can
 * only be one key: in FixedLen (the key count is fixed, so no `%` can span a `/`), and in VariableLen when no wildcard
 * comes before a given key (else `%` could shift the keys after it: not translated).
 */
function keysCondition(raw: unknown, topLevel: boolean): Condition {
  const keys = raw as { keys?: unknown; pattern_matching?: unknown; models?: unknown };
  if (!Array.isArray(keys.keys) || (keys.pattern_matching !== "FixedLen" && keys.pattern_matching !== "VariableLen")) return undefined;
  // A nested Keys clause that lists models would need a join on Torii's model ids: not translated.
  if (!topLevel && Array.isArray(keys.models) && keys.models.length > 0) return undefined;
  const given: unknown[] = keys.keys.length === 0 ? [undefined] : keys.keys;
  const segments: string[] = [];
  for (const key of given) {
    if (key === undefined || key === null || key === "") segments.push("%");
    else {
      const felt = feltOf(key);
      if (felt === undefined) return undefined;
      segments.push(minimalHex(felt));
    }
  }
  const pattern = segments.map((segment) => `${segment}/`).join("");
  if (keys.pattern_matching === "FixedLen") return `internal_entity_id IN (SELECT id FROM entities WHERE keys LIKE '${pattern}' AND ${KEY_COUNT} = ${segments.length})`;
  let lastGiven = segments.length - 1;
  while (lastGiven >= 0 && segments[lastGiven] === "%") lastGiven -= 1;
  if (segments.slice(0, Math.max(0, lastGiven)).includes("%")) return undefined;
  return `internal_entity_id IN (SELECT id FROM entities WHERE keys LIKE '${pattern}%')`;
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

/** A key or id of a clause as a felt; `undefined` for anything that is not one. */
function feltOf(raw: unknown): bigint | undefined {
  if (typeof raw === "bigint") return raw < 0n ? undefined : raw;
  if (typeof raw !== "string" || !HEX.test(raw)) return undefined;
  return BigInt(raw);
}

/** Rust's `{:#x}`: `0x`, lowercase, no leading zeros (`0x0` for zero). */
function minimalHex(felt: bigint): string {
  return `0x${felt.toString(16)}`;
}

function paddedHex(felt: bigint): string {
  return `0x${felt.toString(16).padStart(KEY_DIGITS, "0")}`;
}

function quoteIdentifier(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}
