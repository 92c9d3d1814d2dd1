/** Opaque page cursors: the last id served and the direction, so a cursor cannot be replayed the other way. */
export class BadCursorError extends Error {
  override readonly name = "BadCursorError";
}

const PREFIX = "fake-torii:v1:";

export function encodeCursor(lastId: string, descending: boolean): string {
  return Buffer.from(`${PREFIX}${descending ? "desc" : "asc"}:${lastId}`, "utf8").toString("base64url");
}

/** The id to continue after; undefined for the first page. Throws BadCursorError for anything it did not issue. */
export function decodeCursor(cursor: string, descending: boolean): string | undefined {
  if (cursor === "") return undefined;
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  const match = /^fake-torii:v1:(asc|desc):(0x[0-9a-f]{64})$/.exec(text);
  if (match === null) throw new BadCursorError(`unknown cursor ${JSON.stringify(cursor)}`);
  if ((match[1] === "desc") !== descending) throw new BadCursorError("cursor was issued for the other pagination direction");
  return match[2];
}
