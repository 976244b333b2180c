// The data explorer: a project's tasks with their latest evaluations and
// reviews, filtered, sorted and paged by keyset (stable under inserts).
import { Prisma } from "@prisma/client";
import { z } from "zod";
import { invalidRequest } from "../../http/errors";
import { decodeCursor, encodeCursor } from "../../http/keyset";
import { id, listQuery, page, type Api } from "../../http/route";
import { loadProject } from "../load";
import { taskFilterShape, taskWhere } from "./filters";
import { readSummaries } from "./records";
import { explorerItemSchema, explorerItemView } from "./view";

const SORTS = {
  createdAt: Prisma.raw(`t."createdAt"`),
  updatedAt: Prisma.raw(`t."updatedAt"`),
  priority: Prisma.raw(`t."priority"`),
} as const;
type Sort = keyof typeof SORTS;

const query = listQuery.extend({
  ...taskFilterShape,
  sort: z.enum(Object.keys(SORTS) as [Sort]).default("createdAt"),
  order: z.enum(["asc", "desc"]).default("desc"),
});

/** The cursor's value must be of the sort's type: a cursor from another sort is refused. */
function after(sort: Sort, order: "asc" | "desc", cursor: string | undefined): Prisma.Sql {
  if (!cursor) return Prisma.empty;
  const { value, id } = decodeCursor(cursor, sort === "priority" ? "int" : "date");
  return order === "asc"
    ? Prisma.sql`AND (${SORTS[sort]}, t."id") > (${value}, ${id})`
    : Prisma.sql`AND (${SORTS[sort]}, t."id") < (${value}, ${id})`;
}

export function registerExplorerRoutes(api: Api) {
  api.add({
    method: "get",
    path: "/api/projects/:projectId/explorer",
    tag: "data",
    summary:
      "Data explorer: the project's tasks with their latest evaluations and reviews and the payload's size and start (the whole task: GET /api/tasks/{taskId}); filter, sort (createdAt, updatedAt, priority; asc or desc) and cursor pages",
    params: z.strictObject({ projectId: id }),
    query,
    response: page(explorerItemSchema),
    async handler({ actor, params, query: q, deps }) {
      const project = await loadProject(deps, actor, params.projectId, "project.inspect");
      const dir = Prisma.raw(q.order === "asc" ? "ASC" : "DESC");
      const order = Prisma.sql`${SORTS[q.sort]} ${dir}, t."id" ${dir}`;
      const rows = await readSummaries(deps.db, taskWhere(project.id, q), after(q.sort, q.order, q.cursor), order, q.limit + 1);
      const more = rows.length > q.limit;
      const items = more ? rows.slice(0, q.limit) : rows;
      const last = items[items.length - 1];
      return {
        items: items.map(explorerItemView),
        nextCursor: more && last ? encodeCursor(last[q.sort], last.id) : null,
      };
    },
  });
}
