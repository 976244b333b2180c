// Org settings (Org Admins): each item is a small file; the CRUD shape is shared.
// Projects read the library (templates, criteria) through library.ts, and the
// models, prompts and MCP servers their agents may use through agent-library.ts.
import type { Api } from "../../http/route";
import { registerOrgItem } from "./crud";
import { credentialsItem } from "./credentials";
import { registerInstantiateRoute } from "./instantiate";
import { registerLibraryRoutes } from "./library";
import { registerAgentLibraryRoutes } from "./agent-library";
import { criteriaItem } from "./criteria";
import { mcpServersItem } from "./mcp-servers";
import { modelsItem } from "./models";
import { promptsItem } from "./prompts";
import { templatesItem } from "./templates";

export function registerSettingsRoutes(api: Api) {
  registerOrgItem(api, modelsItem);
  registerOrgItem(api, mcpServersItem);
  registerOrgItem(api, criteriaItem);
  registerOrgItem(api, promptsItem);
  registerOrgItem(api, templatesItem);
  registerOrgItem(api, credentialsItem);
  registerInstantiateRoute(api);
  registerLibraryRoutes(api);
  registerAgentLibraryRoutes(api);
}
