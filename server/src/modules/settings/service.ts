// The commands behind every settings item: each owns its transaction and
// writes the audit entry inside it (never a secret: audit snapshots are views).
import { Prisma } from "@prisma/client";
import type { Actor } from "../../access/actor";
import type { Deps } from "../../deps";
import { notFound } from "../../http/errors";
import type { Tx } from "../../infra/prisma";
import { recordAudit } from "../audit/record";
import type { OrgItem, OrgRow } from "./item";

type AnyItem<Row extends OrgRow> = OrgItem<Row, any, any, any>;

const snapshot = <Row extends OrgRow>(item: AnyItem<Row>, row: Row) =>
  item.audit ? item.audit(row) : (item.view(row) as Record<string, unknown>);

export async function findItem<Row extends OrgRow>(db: Tx, item: AnyItem<Row>, orgId: string, id: string): Promise<Row> {
  const row = await item.table(db).findFirst({ where: { id, orgId } });
  if (!row) throw notFound(item.noun);
  return row;
}

export async function createItem<Row extends OrgRow>(deps: Deps, actor: Actor, item: AnyItem<Row>, orgId: string, input: unknown) {
  return deps.db
    .$transaction(async (tx) => {
      const row = await item.table(tx).create({ data: { ...item.toCreate(input, deps), orgId } });
      await recordAudit(tx, actor, {
        orgId,
        action: `${item.resource}.${item.verbs?.create ?? "create"}`,
        resourceType: item.resource,
        resourceId: row.id,
        after: snapshot(item, row),
      });
      return row;
    })
    .catch((err) => unique(item, err));
}

/**
 * Locks the row until the transaction ends. An update writes what it computed
 * from the row it read (a prompt's next version, a criterion's whole shape), so
 * two edits at once take turns instead of the second undoing the first.
 */
async function lockItem(tx: Tx, item: AnyItem<any>, orgId: string, id: string) {
  const table = Prisma.raw(`"${item.tableName}"`);
  await tx.$queryRaw`SELECT "id" FROM ${table} WHERE "id" = ${id} AND "orgId" = ${orgId} FOR UPDATE`;
}

export async function updateItem<Row extends OrgRow>(deps: Deps, actor: Actor, item: AnyItem<Row>, orgId: string, id: string, input: unknown) {
  return deps.db
    .$transaction(async (tx) => {
      await lockItem(tx, item, orgId, id);
      const before = await findItem(tx, item, orgId, id);
      const row = await item.table(tx).update({ where: { id }, data: item.toUpdate(input, before, deps) });
      await recordAudit(tx, actor, {
        orgId,
        action: `${item.resource}.${item.verbs?.update ?? "update"}`,
        resourceType: item.resource,
        resourceId: id,
        before: snapshot(item, before),
        after: snapshot(item, row),
      });
      return row;
    })
    .catch((err) => unique(item, err));
}

export async function deleteItem<Row extends OrgRow>(deps: Deps, actor: Actor, item: AnyItem<Row>, orgId: string, id: string) {
  await deps.db.$transaction(async (tx) => {
    // Locked first, so what onDelete reads of its users is still true at the delete.
    await lockItem(tx, item, orgId, id);
    const before = await findItem(tx, item, orgId, id);
    const taken = item.onDelete ? await item.onDelete(tx, id) : {};
    await item.table(tx).delete({ where: { id } });
    await recordAudit(tx, actor, {
      orgId,
      action: `${item.resource}.${item.verbs?.delete ?? "delete"}`,
      resourceType: item.resource,
      resourceId: id,
      before: { ...snapshot(item, before), ...taken },
    });
  });
}

function unique(item: AnyItem<any>, err: unknown): never {
  if (item.onUnique && (err as { code?: string }).code === "P2002") throw item.onUnique();
  throw err;
}
