// GET /api/projects/:projectId/export?format=csv|jsonl — streamed: batches are
// read from PostgreSQL and written as the client takes them (backpressure), so
// memory stays flat whatever the size of the project.
import type { Response } from "express";
import { z } from "zod";
import { id, STREAMED, type Api } from "../../http/route";
import { loadProject } from "../load";
import { loadNodes } from "./nodes";
import { taskFilterShape } from "./filters";
import { csvColumns, csvHeader, csvRows, jsonlLines } from "./format";
import { taskBatches } from "./rows";

const query = z.strictObject({ format: z.enum(["csv", "jsonl"]).default("jsonl"), ...taskFilterShape });

const TYPES = { csv: "text/csv; charset=utf-8", jsonl: "application/x-ndjson; charset=utf-8" } as const;

/** Resolves when the socket can take more, or when the client went away. */
function drained(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

async function send(res: Response, chunk: string): Promise<boolean> {
  if (res.destroyed) return false;
  if (!res.write(chunk)) await drained(res);
  return !res.destroyed;
}

export function registerExportRoutes(api: Api) {
  api.add({
    method: "get",
    path: "/api/projects/:projectId/export",
    tag: "data",
    summary:
      "Export the project's runs and tasks with their evaluations and reviews, streamed: JSONL (one task per line, full history) or CSV (one row per task, latest answers per criterion); takes the explorer's filters",
    params: z.strictObject({ projectId: id }),
    query,
    produces: [TYPES.csv, TYPES.jsonl],
    async handler({ actor, params, query: q, deps, res }) {
      const project = await loadProject(deps, actor, params.projectId, "project.inspect");
      const columns = q.format === "csv" ? csvColumns(await loadNodes(deps.db, project.id, q.pipelineId)) : [];
      const stamp = deps.clock.now().toISOString().slice(0, 19).replace(/[-:]/g, "");
      res.status(200);
      res.setHeader("Content-Type", TYPES[q.format]);
      res.setHeader("Content-Disposition", `attachment; filename="export-${project.id}-${stamp}.${q.format}"`);
      res.setHeader("Cache-Control", "no-store");
      if (q.format === "csv" && !(await send(res, csvHeader(columns)))) return STREAMED;
      for await (const batch of taskBatches(deps.db, project.id, q)) {
        const chunk = q.format === "csv" ? csvRows(batch, columns) : jsonlLines(batch);
        if (!(await send(res, chunk))) return STREAMED; // the client left: stop reading
      }
      res.end();
      return STREAMED;
    },
  });
}
