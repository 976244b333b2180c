// Who may watch which live room (Socket.IO subscriptions). The same rules as the
// HTTP routes that show the same data, so a socket never sees more than a page would.
import type { Actor } from "../actor";
import { orgPolicy, type OrgResource } from "./org";
import { projectPolicy, type ProjectResource } from "./project";

export const livePolicy = {
  /** `project:<id>:queue`: the contributors who work it and the admins who inspect it. */
  queue: (a: Actor, p: ProjectResource) => projectPolicy.work(a, p) || projectPolicy.inspect(a, p),
  /** `project:<id>:dashboard`: like GET /api/projects/:id/dashboard. */
  projectDashboard: (a: Actor, p: ProjectResource) => projectPolicy.inspect(a, p),
  /** `org:<id>:dashboard`: Org Admins only. */
  orgDashboard: (a: Actor, o: OrgResource) => orgPolicy.manage(a, o),
};
