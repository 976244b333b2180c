// Project API keys in the access matrix: one with `runs:write` (made by the project's
// Owner) and one with `read` (made by the Org Admin), both for the world's project.
// A key role gets 403 on every route except the ones listed here, so a new route that
// reached a project key without asking authorize() fails the matrix.
import { generateApiKey } from "../../server/src/auth/api-keys";
import type { Deps } from "../../server/src/deps";
import type { createWorld } from "../helpers/factories";
import type { Row } from "./access-matrix.table";

export const KEY_ROLES = ["runsKey", "readKey"] as const;
export type KeyRole = (typeof KEY_ROLES)[number];

const both = ["GET /api/projects/:projectId"];
const allowed: Record<KeyRole, string[]> = {
  runsKey: [...both, "POST /api/agents/:agentId/runs", "POST /api/pipelines/:pipelineId/tasks"],
  readKey: [
    ...both,
    // what a Viewer reads of the project, the org's library seen through it included
    ...[
      ...["members", "contributor-types", "agents", "agents/:agentId", "runs", "explorer", "export", "dashboard"],
      ...["pipelines", "tasks", "claims", "templates", "evaluation-criteria", "models", "prompts", "mcp-servers"],
    ].map((p) => `GET /api/projects/:projectId/${p}`),
    "GET /api/pipelines/:pipelineId",
    "GET /api/tasks/:taskId",
    "GET /api/runs/:runId",
  ],
};

export const isKeyRole = (role: string): role is KeyRole => (KEY_ROLES as readonly string[]).includes(role);

export function keyExpected(row: Row, role: KeyRole): number {
  return allowed[role].includes(`${row.method.toUpperCase()} ${row.path}`) ? row.ok : 403;
}

/** The two keys (their secrets are the key roles' tokens) and one more project key to revoke. */
export async function keyExtra(deps: Deps, w: Awaited<ReturnType<typeof createWorld>>): Promise<Record<string, string>> {
  const make = async (createdById: string, permissions: string[]) => {
    const k = generateApiKey();
    const row = await deps.db.apiKey.create({
      data: { orgId: w.org.id, createdById, name: "matrix", prefix: k.prefix, hash: k.hash, scope: "project", projectId: w.project.id, permissions },
    });
    return { id: row.id, key: k.key };
  };
  const [runs, read, spare] = await Promise.all([make(w.owner.id, ["runs:write"]), make(w.admin.id, ["read"]), make(w.owner.id, ["read"])]);
  return { runsKey: runs.key, readKey: read.key, projectKeyId: spare.id };
}
