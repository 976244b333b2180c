// Access-matrix rows for the dashboards: the org one for Org Admins only, a
// project's for its Owners and Viewers and the Org Admins (not Contributors).
import type { Row } from "./access-matrix.table";

export const dashboardRows: Row[] = [
  { method: "get", path: "/api/orgs/:orgId/dashboard", allow: ["admin"], ok: 200 },
  { method: "get", path: "/api/projects/:projectId/dashboard", allow: ["admin", "owner", "viewer"], ok: 200 },
];
