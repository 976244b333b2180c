// Keyset (cursor) pagination over a sort field plus id as the tie-breaker.
// The cursor is opaque to clients: base64url of the last row's [value, id].
// Unlike OFFSET, a page costs the same at row 10 and at row 1,000,000, and rows
// inserted meanwhile never shift a page.
import { invalidRequest } from "./errors";

export type Dir = "asc" | "desc";
type Value = string | number | Date;

export function encodeCursor(value: Value, id: string): string {
  const v = value instanceof Date ? { d: value.toISOString() } : value;
  return Buffer.from(JSON.stringify([v, id])).toString("base64url");
}

/** What a sort field holds: the cursor's value must be of that kind (another sort's cursor is refused). */
export type CursorKind = "date" | "int" | "string";
const LAST_DAY = Date.parse("9999-12-31T23:59:59.999Z");

export function decodeCursor(cursor: string, kind: CursorKind): { value: Value; id: string } {
  try {
    const [v, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as [unknown, unknown];
    const value = v && typeof v === "object" && "d" in v ? new Date(String((v as { d: string }).d)) : v;
    const ok =
      typeof id === "string" &&
      (kind === "int"
        ? Number.isSafeInteger(value) && Math.abs(value as number) < 2 ** 31
        : kind === "string"
          ? typeof value === "string" && value.length <= 1000
          : value instanceof Date && value.getTime() >= 0 && value.getTime() <= LAST_DAY);
    if (ok) return { value: value as Value, id };
  } catch {
    // fall through: any garbage is the same bad cursor
  }
  throw invalidRequest("The cursor is not valid: pass back a nextCursor from a previous page of the same list and sort.");
}

/** Prisma `where` for the rows after the cursor in (field dir, id dir) order. */
export function afterCursor(field: string, dir: Dir, cursor: string | undefined, kind: CursorKind = "date"): object {
  if (!cursor) return {};
  const { value, id } = decodeCursor(cursor, kind);
  const op = dir === "asc" ? "gt" : "lt";
  return { OR: [{ [field]: { [op]: value } }, { [field]: value, id: { [op]: id } }] };
}

export const keysetOrder = (field: string, dir: Dir) => [{ [field]: dir }, { id: dir }];

/** Rows were fetched with `take: limit + 1`: the extra one says there is a next page. */
export function keysetPage<T extends { id: string }>(rows: T[], limit: number, field: keyof T & string) {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  const last = items[items.length - 1];
  return { items, nextCursor: more && last ? encodeCursor(last[field] as Value, last.id) : null };
}
