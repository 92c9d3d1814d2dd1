import type { Database as SqliteDatabase } from "better-sqlite3";
import { modelTag } from "../schema/types";
import type { ModelDef, ModelValues, Value } from "../schema/types";
import { SqliteTables } from "./sqlite-tables";
import type { EntityKind, EntityRow } from "./sqlite-tables";

export type { EntityKind, EntityRow } from "./sqlite-tables";
export { fromSqlDatetime, toSqlDatetime } from "./sqlite-tables";

/** A model as stored: its values and the entity row of the write that last set it (its `internal_*` columns). */
interface StoredModel {
  readonly values: ModelValues;
  readonly row: EntityRow;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    const record = value as Record<string, unknown>;
    for (const key in record) deepFreeze(record[key]);
  }
  return value;
}

/**
 * The world's state: kept in memory for the write path (a write reads and replaces a few map entries), and mirrored
 * into SQLite shaped like Torii's for SQL and pages. The mirror is written lazily, once per read of the database and in
 * one transaction, so a burst of writes to the same entities costs one row write per entity, not one per update.
 * Values handed out are frozen: they are the stored state itself.
 */
export class WorldStore {
  private readonly sqlite: SqliteTables;
  private readonly rows: Record<EntityKind, Map<string, EntityRow>> = { entity: new Map(), event: new Map() };
  /** Per model tag, the stored model of each entity id (a tag belongs to one kind). */
  private readonly byTag = new Map<string, Map<string, StoredModel>>();
  private readonly links: Record<EntityKind, Map<string, Set<string>>> = { entity: new Map(), event: new Map() };
  private readonly kindOfTag = new Map<string, EntityKind>();
  /** Ids whose row or model changed since the last flush, per kind and per model tag, in order of last change. */
  private readonly dirtyRows: Record<EntityKind, Set<string>> = { entity: new Set(), event: new Set() };
  private readonly dirtyModels = new Map<string, Set<string>>();
  private dirty = false;

  constructor(models: readonly ModelDef[]) {
    this.sqlite = new SqliteTables(models);
    for (const def of models) {
      const tag = modelTag(def);
      this.byTag.set(tag, new Map());
      this.dirtyModels.set(tag, new Set());
      this.kindOfTag.set(tag, def.kind === "event" ? "event" : "entity");
    }
  }

  /** The SQLite database, brought up to date first. */
  get db(): SqliteDatabase {
    this.flush();
    return this.sqlite.db;
  }

  hasModel(tag: string): boolean {
    return this.byTag.has(tag);
  }

  getEntity(kind: EntityKind, id: string): EntityRow | undefined {
    return this.rows[kind].get(id);
  }

  putEntity(kind: EntityKind, row: EntityRow): void {
    this.rows[kind].set(row.id, row);
    this.markRow(kind, row.id);
  }

  /** Removes the entity row, its model links and every model row it had. */
  removeEntity(kind: EntityKind, id: string): void {
    for (const tag of this.modelsOf(kind, id)) this.removeModel(kind, tag, id);
    this.rows[kind].delete(id);
    this.markRow(kind, id);
  }

  /** The entity's model tags, sorted (as Torii's `entity_model` reads back). */
  modelsOf(kind: EntityKind, id: string): string[] {
    const tags = this.links[kind].get(id);
    return tags === undefined ? [] : [...tags].sort();
  }

  hasModelOn(kind: EntityKind, id: string, tag: string): boolean {
    return this.links[kind].get(id)?.has(tag) === true;
  }

  readModel(tag: string, id: string): ModelValues | undefined {
    return this.byTag.get(tag)?.get(id)?.values;
  }

  /**
   * Stores a complete model (callers merge partial updates first) and links it to the entity. Takes ownership of
   * `values`: they are frozen and kept as they are.
   */
  writeModel(kind: EntityKind, tag: string, entity: EntityRow, values: Record<string, Value>): void {
    const table = this.byTag.get(tag);
    if (table === undefined) throw new Error(`no table for model ${tag}`);
    table.set(entity.id, { values: deepFreeze(values), row: entity });
    let tags = this.links[kind].get(entity.id);
    if (tags === undefined) {
      tags = new Set();
      this.links[kind].set(entity.id, tags);
    }
    tags.add(tag);
    this.markModel(tag, entity.id);
  }

  removeModel(kind: EntityKind, tag: string, id: string): void {
    this.byTag.get(tag)?.delete(id);
    const tags = this.links[kind].get(id);
    tags?.delete(tag);
    if (tags?.size === 0) this.links[kind].delete(id);
    this.markModel(tag, id);
  }

  /** Up to `limit` rows strictly after `afterId` in id order (before it when descending): keyset pagination. */
  page(kind: EntityKind, afterId: string | undefined, descending: boolean, limit: number): EntityRow[] {
    this.flush();
    return this.sqlite.page(kind, afterId, descending, limit);
  }

  count(kind: EntityKind): number {
    return this.rows[kind].size;
  }

  /** Live rows of one model. */
  countModel(tag: string): number {
    return this.byTag.get(tag)?.size ?? 0;
  }

  /** Runs several writes as a group. The SQLite mirror is written at the next read either way; kept for callers' clarity. */
  transaction<T>(work: () => T): T {
    return work();
  }

  /** Writes every change since the last flush to SQLite, in one transaction. */
  flush(): void {
    if (!this.dirty) return;
    this.dirty = false;
    this.sqlite.db.transaction(() => {
      for (const kind of ["entity", "event"] as const) {
        for (const id of this.dirtyRows[kind]) {
          const row = this.rows[kind].get(id);
          if (row === undefined) this.sqlite.removeEntity(kind, id);
          else this.sqlite.putEntity(kind, row);
        }
        this.dirtyRows[kind].clear();
      }
      for (const [tag, ids] of this.dirtyModels) {
        const kind = this.kindOfTag.get(tag) ?? "entity";
        const table = this.byTag.get(tag);
        for (const id of ids) {
          const stored = table?.get(id);
          if (stored === undefined) this.sqlite.removeModel(kind, tag, id);
          else this.sqlite.writeModel(kind, tag, stored.row, stored.values);
        }
        ids.clear();
      }
    })();
  }

  close(): void {
    this.sqlite.close();
  }

  // Re-adding moves an id to the end, so the mirror is written in the order of the last writes (SQLite rowid order).
  private markRow(kind: EntityKind, id: string): void {
    const ids = this.dirtyRows[kind];
    ids.delete(id);
    ids.add(id);
    this.dirty = true;
  }

  private markModel(tag: string, id: string): void {
    const ids = this.dirtyModels.get(tag);
    if (ids === undefined) return;
    ids.delete(id);
    ids.add(id);
    this.dirty = true;
  }
}
