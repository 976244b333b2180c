// Every area's routes, in one list. A new area adds one line here.
import type { AppOptions } from "./app";
import type { Deps } from "./deps";
import type { Api } from "./http/route";
import type { Metrics } from "./infra/metrics";
import { registerAuthRoutes } from "./modules/auth/routes";
import { registerContributorTypeRoutes } from "./modules/contributor-types/routes";
import { registerHealthRoutes } from "./modules/health/routes";
import { registerMeRoutes } from "./modules/me/routes";
import { registerOrgRoutes } from "./modules/orgs/routes";
import { registerPeopleRoutes } from "./modules/people/routes";
import { registerProjectRoutes } from "./modules/projects/routes";
import { registerTeamRoutes } from "./modules/team/routes";
import { registerAgentRoutes } from "./modules/agents/routes";
import { registerApiKeyRoutes } from "./modules/api-keys/routes";
import { registerAuditRoutes } from "./modules/audit/routes";
import { registerExplorerRoutes } from "./modules/data/explorer";
import { registerExportRoutes } from "./modules/data/export";
import { registerRunRoutes } from "./modules/runs/routes";
import { registerSettingsRoutes } from "./modules/settings/routes";
import { registerNotificationRoutes } from "./modules/notifications/routes";
import { registerDashboardRoutes } from "./modules/dashboard/routes";
import { registerPipelineRoutes } from "./modules/pipelines/routes";
import { registerTaskRoutes } from "./modules/tasks/routes";
import { registerQueueRoutes } from "./modules/queue/routes";

export function registerRoutes(api: Api, deps: Deps, metrics: Metrics, opts: AppOptions): void {
  registerHealthRoutes(api, metrics);
  registerAuthRoutes(api, deps, opts);
  registerMeRoutes(api);
  registerOrgRoutes(api);
  registerPeopleRoutes(api);
  registerProjectRoutes(api);
  registerTeamRoutes(api);
  registerContributorTypeRoutes(api);
  registerSettingsRoutes(api);
  registerApiKeyRoutes(api);
  registerAuditRoutes(api);
  registerAgentRoutes(api);
  registerRunRoutes(api);
  registerExplorerRoutes(api);
  registerExportRoutes(api);
  registerNotificationRoutes(api);
  registerDashboardRoutes(api);
  registerPipelineRoutes(api);
  registerTaskRoutes(api);
  registerQueueRoutes(api, deps);
}
