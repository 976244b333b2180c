// Access-matrix rows for the inbox: each person reads and marks only their own
// notifications; someone else's answers 404, like a thing that does not exist.
import type { Deps } from "../../server/src/deps";
import type { createWorld } from "../helpers/factories";
import type { Role, Row } from "./access-matrix.table";

const notOwner: Partial<Record<Role, number>> = { owner: 404, viewer: 404, contributor: 404, member: 404 };

export const notificationRows: Row[] = [
  { method: "get", path: "/api/me/notifications", allow: "users", ok: 200 },
  { method: "post", path: "/api/me/notifications/read-all", allow: "users", ok: 200 },
  {
    method: "post",
    path: "/api/me/notifications/:id/read",
    allow: ["admin"],
    ok: 200,
    denied: notOwner,
    params: (w) => ({ id: w.extra.adminNotificationId! }),
  },
];

/** One notification of the org admin's. */
export async function notificationExtra(deps: Deps, w: Awaited<ReturnType<typeof createWorld>>): Promise<Record<string, string>> {
  const n = await deps.db.notification.create({
    data: { userId: w.admin.id, orgId: w.org.id, type: "review_ready", title: "Ready", body: "A task waits.", link: "/" },
  });
  return { adminNotificationId: n.id };
}
