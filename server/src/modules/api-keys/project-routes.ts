// A project's API keys: its Owners (and Org Admins) make, list and revoke keys that
// act only in this project, for the permissions chosen (access/scope.ts enforces them).
// The org's routes (routes.ts) list every key, project ones included.
import { z } from "zod";
import { KEY_PERMISSIONS } from "../../access/scope";
import { id, page, type Api } from "../../http/route";
import { loadProject } from "../load";
import { keyName, keysQuery, listKeys } from "./routes";
import { createApiKey, revokeApiKey } from "./service";
import { apiKeySchema, apiKeyView, createdApiKeySchema } from "./view";

const projectParams = z.strictObject({ projectId: id });
const keyParams = z.strictObject({ projectId: id, keyId: id });
const createBody = z.strictObject({
  name: keyName,
  permissions: z
    .array(z.enum(KEY_PERMISSIONS))
    .min(1)
    .max(20)
    .describe("read: what a Viewer reads (tasks, runs, pipelines, agents, team, export, dashboard, live rooms); runs:write: ingest agent runs and import tasks"),
});
const tag = "api keys";

export function registerProjectApiKeyRoutes(api: Api) {
  api.add({
    method: "get",
    path: "/api/projects/:projectId/api-keys",
    tag,
    summary: "List the project's API keys: prefix, name, permissions, created, last used, revoked (never the key; Owners and Org Admins)",
    params: projectParams,
    query: keysQuery,
    response: page(apiKeySchema),
    async handler({ actor, params, query, deps }) {
      await loadProject(deps, actor, params.projectId, "project.write");
      return listKeys(deps, { projectId: params.projectId }, query);
    },
  });

  api.add({
    method: "post",
    path: "/api/projects/:projectId/api-keys",
    tag,
    summary:
      "Create a project API key: it acts only in this project and only for its permissions (everything else 403, other projects 404); the answer carries the key, shown this once only (an Owner or Org Admin signed in; an API key cannot make keys)",
    params: projectParams,
    body: createBody,
    status: 201,
    response: createdApiKeySchema,
    async handler({ actor, params, body, deps }) {
      const project = await loadProject(deps, actor, params.projectId, "project.grant");
      const { row, key } = await createApiKey(deps, actor, project.orgId, body.name, { projectId: project.id, permissions: body.permissions });
      return { ...apiKeyView(row), key };
    },
  });

  api.add({
    method: "delete",
    path: "/api/projects/:projectId/api-keys/:keyId",
    tag,
    summary: "Revoke one of the project's API keys: from now on it answers 401 (an Owner or Org Admin signed in, not an API key)",
    params: keyParams,
    status: 204,
    async handler({ actor, params, deps }) {
      const project = await loadProject(deps, actor, params.projectId, "project.grant");
      await revokeApiKey(deps, actor, project.orgId, params.keyId, project.id);
    },
  });
}
