import Database from "better-sqlite3";
import type { Database as SqliteDatabase, Statement } from "better-sqlite3";
import { minimalHex, padHex } from "../protocol/felt";
import { modelTag } from "../schema/types";
import type { ModelDef, ModelValues } from "../schema/types";
import { columnsOf, flattenValue } from "./columns";
import type { SqlScalar } from "./columns";

/** Which family of tables a row lives in: world entities or event messages. */
export type EntityKind = "entity" | "event";

/** One row of `entities` / `event_messages`, with timestamps as unix seconds. */
export interface EntityRow {
  readonly id: string;
  /** Torii's encoding: each key as padded hex followed by `/`. */
  readonly keys: string;
  readonly eventId: string;
  readonly executedAt: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

const TABLES: Record<EntityKind, { readonly entities: string; readonly join: string }> = {
  entity: { entities: "entities", join: "entity_model" },
  event: { entities: "event_messages", join: "event_model" },
};

const INTERNAL_COLUMNS = ["internal_id", "internal_entity_id", "internal_event_message_id", "internal_event_id", "internal_executed_at", "internal_created_at", "internal_updated_at"];

let lastSeconds = Number.NaN;
let lastText = "";

/**
 * A block time as Torii writes `executed_at` and `internal_executed_at` (torii-sqlite `utc_dt_string_from_timestamp`:
 * chrono's `to_rfc3339()`, '2026-12-03T10:00:00+00:00').
 */
export function toSqlDatetime(seconds: number): string {
  // Consecutive writes mostly share a block timestamp: remember the last one.
  if (seconds !== lastSeconds) {
    lastText = new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "+00:00");
    lastSeconds = seconds;
  }
  return lastText;
}

/** A wall-clock time as SQLite's CURRENT_TIMESTAMP spells it ('YYYY-MM-DD HH:MM:SS'): Torii's `created_at`/`updated_at`. */
function toCurrentTimestamp(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 19).replace("T", " ");
}

export function fromSqlDatetime(text: string): number {
  return Math.floor(Date.parse(text.includes("T") ? text : `${text.replace(" ", "T")}Z`) / 1000);
}

/** An id or felt as Torii's SQL spells it (`{:#x}`, minimal hex); the fake keeps padded ids everywhere else. */
function sqlId(id: string): string {
  return minimalHex(BigInt(id));
}

function quote(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}

interface ModelTable {
  readonly def: ModelDef;
  readonly upsert: Statement;
  readonly remove: Statement;
  readonly columns: readonly string[];
}

interface KindStatements {
  readonly upsert: Statement;
  readonly remove: Statement;
  readonly page: Record<"asc" | "desc", Statement>;
  readonly link: Statement;
  readonly unlink: Statement;
  readonly count: Statement;
}

interface RawEntityRow {
  id: string;
  keys: string;
  event_id: string;
  executed_at: string;
  created_at: string;
  updated_at: string;
}

function toEntityRow(raw: RawEntityRow): EntityRow {
  return {
    id: padHex(BigInt(raw.id)),
    keys: raw.keys,
    eventId: raw.event_id,
    executedAt: fromSqlDatetime(raw.executed_at),
    createdAt: fromSqlDatetime(raw.created_at),
    updatedAt: fromSqlDatetime(raw.updated_at),
  };
}

/**
 * An in-memory SQLite database shaped like Torii's: `entities` and `event_messages` (id, keys, event_id, executed_at,
 * created_at, updated_at), `entity_model` / `event_model`, `models`, and one table per model named by its tag
 * (`"blitz-Army"`) with `internal_*` columns and one column per flattened member. Writes only; the world reads its own
 * state from memory and this database answers SQL and pages.
 */
export class SqliteTables {
  readonly db: SqliteDatabase;
  private readonly tables = new Map<string, ModelTable>();
  private readonly kinds: Record<EntityKind, KindStatements>;

  constructor(models: readonly ModelDef[]) {
    this.db = new Database(":memory:");
    this.db.pragma("journal_mode = MEMORY");
    for (const kind of ["entity", "event"] as const) {
      const t = TABLES[kind];
      this.db.exec(`CREATE TABLE ${t.entities} (id TEXT NOT NULL PRIMARY KEY, keys TEXT NOT NULL, event_id TEXT NOT NULL,
        executed_at DATETIME NOT NULL, created_at DATETIME NOT NULL, updated_at DATETIME NOT NULL)`);
      this.db.exec(`CREATE TABLE ${t.join} (entity_id TEXT NOT NULL, model_id TEXT NOT NULL, PRIMARY KEY (entity_id, model_id))`);
    }
    this.db.exec(`CREATE TABLE models (id TEXT NOT NULL PRIMARY KEY, namespace TEXT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL)`);
    const addModel = this.db.prepare("INSERT INTO models (id, namespace, name, kind) VALUES (?, ?, ?, ?)");
    for (const def of models) {
      const tag = modelTag(def);
      addModel.run(tag, def.namespace, def.name, def.kind ?? "model");
      this.tables.set(tag, this.createModelTable(def));
    }
    this.kinds = { entity: this.prepareKind("entity"), event: this.prepareKind("event") };
  }

  private createModelTable(def: ModelDef): ModelTable {
    const table = quote(modelTag(def));
    const memberColumns = columnsOf(def.members);
    const ddl = [
      "internal_id TEXT NOT NULL PRIMARY KEY",
      "internal_entity_id TEXT",
      "internal_event_message_id TEXT",
      "internal_event_id TEXT NOT NULL",
      "internal_executed_at DATETIME NOT NULL",
      "internal_created_at DATETIME NOT NULL",
      "internal_updated_at DATETIME NOT NULL",
      ...memberColumns.map((c) => `${quote(c.name)} ${c.sqlType}`),
    ];
    this.db.exec(`CREATE TABLE ${table} (${ddl.join(", ")})`);
    const columns = [...INTERNAL_COLUMNS, ...memberColumns.map((c) => c.name)];
    const placeholders = columns.map(() => "?").join(", ");
    return {
      def,
      columns,
      upsert: this.db.prepare(`INSERT OR REPLACE INTO ${table} (${columns.map(quote).join(", ")}) VALUES (${placeholders})`),
      remove: this.db.prepare(`DELETE FROM ${table} WHERE internal_id = ?`),
    };
  }

  private prepareKind(kind: EntityKind): KindStatements {
    const t = TABLES[kind];
    const columns = "id, keys, event_id, executed_at, created_at, updated_at";
    return {
      upsert: this.db.prepare(`INSERT OR REPLACE INTO ${t.entities} (${columns}) VALUES (?, ?, ?, ?, ?, ?)`),
      remove: this.db.prepare(`DELETE FROM ${t.entities} WHERE id = ?`),
      page: {
        // Numeric id order (minimal hex: shorter first, then as text), as the padded ids the fake pages by sort.
        asc: this.db.prepare(`SELECT ${columns} FROM ${t.entities} WHERE (length(id), id) > (?, ?) ORDER BY length(id) ASC, id ASC LIMIT ?`),
        desc: this.db.prepare(`SELECT ${columns} FROM ${t.entities} WHERE (length(id), id) < (?, ?) ORDER BY length(id) DESC, id DESC LIMIT ?`),
      },
      link: this.db.prepare(`INSERT OR IGNORE INTO ${t.join} (entity_id, model_id) VALUES (?, ?)`),
      unlink: this.db.prepare(`DELETE FROM ${t.join} WHERE entity_id = ? AND model_id = ?`),
      count: this.db.prepare(`SELECT COUNT(*) AS n FROM ${t.entities}`),
    };
  }

  putEntity(kind: EntityKind, row: EntityRow): void {
    this.kinds[kind].upsert.run(sqlId(row.id), row.keys, row.eventId, toSqlDatetime(row.executedAt), toCurrentTimestamp(row.createdAt), toCurrentTimestamp(row.updatedAt));
  }

  removeEntity(kind: EntityKind, id: string): void {
    this.kinds[kind].remove.run(sqlId(id));
  }

  /** Writes a complete model row, stamped with the entity row of the write that produced it, and links it. */
  writeModel(kind: EntityKind, tag: string, entity: EntityRow, values: ModelValues): void {
    const table = this.tables.get(tag);
    if (table === undefined) throw new Error(`no table for model ${tag}`);
    const id = sqlId(entity.id);
    const flat: Record<string, SqlScalar> = {
      internal_id: id,
      internal_entity_id: kind === "entity" ? id : null,
      internal_event_message_id: kind === "event" ? id : null,
      internal_event_id: entity.eventId,
      internal_executed_at: toSqlDatetime(entity.executedAt),
      internal_created_at: toCurrentTimestamp(entity.createdAt),
      // Torii: Utc::now().to_rfc3339() (with fractions of a second, left out here).
      internal_updated_at: toSqlDatetime(entity.updatedAt),
    };
    for (const m of table.def.members) {
      const value = values[m.name];
      if (value !== undefined) flattenValue(m.type, value, m.name, flat);
    }
    table.upsert.run(...table.columns.map((c) => flat[c] ?? null));
    this.kinds[kind].link.run(id, tag);
  }

  removeModel(kind: EntityKind, tag: string, id: string): void {
    this.tables.get(tag)?.remove.run(sqlId(id));
    this.kinds[kind].unlink.run(sqlId(id), tag);
  }

  /** Up to `limit` rows strictly after `afterId` in id order (before it when descending): keyset pagination. */
  page(kind: EntityKind, afterId: string | undefined, descending: boolean, limit: number): EntityRow[] {
    const statement = this.kinds[kind].page[descending ? "desc" : "asc"];
    // Open bounds: no id is shorter than 3 characters or longer than 66.
    const bound = afterId === undefined ? "" : sqlId(afterId);
    const length = afterId === undefined ? (descending ? 100 : 0) : bound.length;
    return (statement.all(length, bound, limit) as RawEntityRow[]).map(toEntityRow);
  }

  count(kind: EntityKind): number {
    return (this.kinds[kind].count.get() as { n: number }).n;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
