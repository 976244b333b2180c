import type { Db } from "../../infra/prisma";

export interface NodeInfo {
  key: string;
  kind: string;
  pipelineId: string;
  criteria: string[];
}

/** The project's nodes in pipeline order: their keys and criteria name the CSV columns. */
export async function loadNodes(db: Db, projectId: string, pipelineId?: string): Promise<NodeInfo[]> {
  const rows = await db.pipelineNode.findMany({
    where: { projectId, ...(pipelineId ? { pipelineId } : {}) },
    orderBy: [{ pipelineId: "asc" }, { position: "asc" }],
  });
  return rows.map((n) => {
    const form = n.form as { criteria?: Array<{ key: string }> } | null;
    return { key: n.key, kind: n.kind, pipelineId: n.pipelineId, criteria: form?.criteria?.map((c) => c.key) ?? [] };
  });
}
