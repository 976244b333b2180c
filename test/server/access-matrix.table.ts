// The access matrix: one row per route (method + path exactly as registered).
// access-matrix.test.ts fails when a registered route has no row here, so a new
// route cannot be forgotten. For each row and role the expected status is:
//   allowed → `ok`; anonymous or forged token → 401; member of another org → 404;
//   anyone else → 403 (or the row's `denied` override). Project API keys (key roles):
//   access-matrix.keys.ts.
import type { Deps } from "../../server/src/deps";
import { createWorld, FACTORY_PASSWORD } from "../helpers/factories";
import { queueExtra, queueRows } from "./access-matrix.queue";
import { settingsExtra, settingsRows } from "./access-matrix.settings";
import { notificationExtra, notificationRows } from "./access-matrix.notifications";
import { dashboardRows } from "./access-matrix.dashboard";
import { KEY_ROLES, keyExtra } from "./access-matrix.keys";

export const ROLES = ["admin", "owner", "viewer", "contributor", "member", "outsider", "anonymous", "forged", ...KEY_ROLES] as const;
export type Role = (typeof ROLES)[number];
export type World = Awaited<ReturnType<typeof createWorld>> & { extra: Record<string, string> };

export interface Row {
  method: "get" | "post" | "patch" | "put" | "delete";
  path: string;
  /** Roles that succeed; "users" = any authenticated user; "public" = no auth needed. */
  allow: Role[] | "users" | "public";
  ok: number;
  body?: (w: World) => unknown;
  /** Path values; defaults cover orgId, projectId, typeId, userId (a plain org member). */
  params?: (w: World) => Record<string, string>;
  /** The call destroys or consumes its resource: a fresh world per role. */
  fresh?: boolean;
  denied?: Partial<Record<Role, number>>;
}

const admins: Role[] = ["admin"];
const writers: Role[] = ["admin", "owner"];
const readers: Role[] = ["admin", "owner", "viewer"];
const onProject: Role[] = ["admin", "owner", "viewer", "contributor"];
const orgMembers: Role[] = ["admin", "owner", "viewer", "contributor", "member"];
let n = 0;
const unique = () => `${Date.now()}-${++n}`;

export const rows: Row[] = [
  // health and docs
  { method: "get", path: "/healthz", allow: "public", ok: 200 },
  { method: "get", path: "/readyz", allow: "public", ok: 200 },
  { method: "get", path: "/metrics", allow: "public", ok: 200 },
  { method: "get", path: "/api/openapi.json", allow: "public", ok: 200 },
  // auth (bodies that fail on purpose: the route is public, the answer is about the credentials)
  { method: "post", path: "/api/auth/login", allow: "public", ok: 401, body: () => ({ email: "nobody@test.local", password: "x" }) },
  { method: "post", path: "/api/auth/accept-invite", allow: "public", ok: 400, body: () => ({ token: "not-a-real-token", password: "long-enough-1" }) },
  { method: "get", path: "/api/auth/invitations/:token", allow: "public", ok: 400, params: () => ({ token: "not-a-real-token" }) },
  { method: "get", path: "/api/auth/password-resets/:token", allow: "public", ok: 400, params: () => ({ token: "not-a-real-token" }) },
  { method: "post", path: "/api/auth/password-resets/:token", allow: "public", ok: 400, params: () => ({ token: "not-a-real-token" }), body: () => ({ password: "long-enough-1" }) },
  { method: "get", path: "/api/me", allow: "users", ok: 200 },
  { method: "get", path: "/api/me/submissions/forms", allow: "users", ok: 200 },
  // each role changes or ends only its own account's sessions (API keys: test/server/sessions.test.ts)
  { method: "post", path: "/api/me/password", allow: "users", ok: 200, body: () => ({ currentPassword: FACTORY_PASSWORD, newPassword: "long-enough-2" }) },
  { method: "post", path: "/api/me/sign-out-everywhere", allow: "users", ok: 204 },
  // orgs and people
  { method: "get", path: "/api/orgs/:orgId", allow: orgMembers, ok: 200 },
  { method: "get", path: "/api/orgs/:orgId/people", allow: admins, ok: 200 },
  { method: "post", path: "/api/orgs/:orgId/people", allow: admins, ok: 201, body: () => ({ email: `invitee-${unique()}@test.local` }) },
  { method: "patch", path: "/api/orgs/:orgId/people/:userId", allow: admins, ok: 200, body: () => ({ orgRole: "member" }) },
  { method: "post", path: "/api/orgs/:orgId/people/:userId/password-reset", allow: admins, ok: 201 },
  { method: "delete", path: "/api/orgs/:orgId/people/:userId", allow: admins, ok: 204, fresh: true },
  // projects
  { method: "get", path: "/api/orgs/:orgId/projects", allow: orgMembers, ok: 200 },
  { method: "post", path: "/api/orgs/:orgId/projects", allow: admins, ok: 201, body: () => ({ name: `P ${unique()}` }) },
  { method: "get", path: "/api/projects/:projectId", allow: onProject, ok: 200 },
  { method: "patch", path: "/api/projects/:projectId", allow: writers, ok: 200, body: () => ({ description: "changed" }) },
  { method: "post", path: "/api/projects/:projectId/archive", allow: admins, ok: 200 },
  { method: "post", path: "/api/projects/:projectId/restore", allow: admins, ok: 200 },
  { method: "delete", path: "/api/projects/:projectId", allow: admins, ok: 204, fresh: true },
  // team
  { method: "get", path: "/api/projects/:projectId/members", allow: readers, ok: 200 },
  {
    method: "post",
    path: "/api/projects/:projectId/members",
    allow: writers,
    ok: 201,
    fresh: true,
    body: (w) => ({ userId: w.member.id, role: "viewer" }),
  },
  {
    method: "patch",
    path: "/api/projects/:projectId/members/:userId",
    allow: writers,
    ok: 200,
    params: (w) => ({ userId: w.contributor.id }),
    body: () => ({ role: "contributor" }),
  },
  {
    method: "delete",
    path: "/api/projects/:projectId/members/:userId",
    allow: writers,
    ok: 204,
    fresh: true,
    params: (w) => ({ userId: w.viewer.id }),
  },
  // contributor types
  { method: "get", path: "/api/projects/:projectId/contributor-types", allow: readers, ok: 200 },
  {
    method: "post",
    path: "/api/projects/:projectId/contributor-types",
    allow: writers,
    ok: 201,
    body: () => ({ name: `T ${unique()}`, claimLimit: 2 }),
  },
  { method: "patch", path: "/api/projects/:projectId/contributor-types/:typeId", allow: writers, ok: 200, body: () => ({ claimLimit: 4 }) },
  {
    method: "delete",
    path: "/api/projects/:projectId/contributor-types/:typeId",
    allow: writers,
    ok: 204,
    fresh: true,
    params: (w) => ({ typeId: w.extra.unusedTypeId! }),
  },
  // org settings, API keys, audit log, agents, runs, explorer, export
  ...settingsRows,
  // the inbox
  ...notificationRows,
  // dashboards
  ...dashboardRows,
  // pipelines, tasks, the work queue
  ...queueRows,
];

/** The world every row runs in; areas add what their routes need to `extra`. */
export async function buildWorld(deps: Deps): Promise<World> {
  const w = await createWorld(deps);
  const unused = await deps.db.contributorType.create({ data: { projectId: w.project.id, name: `Unused ${unique()}`, claimLimit: 1 } });
  return { ...w, extra: { unusedTypeId: unused.id, ...(await settingsExtra(deps, w)), ...(await notificationExtra(deps, w)), ...(await queueExtra(deps, w)), ...(await keyExtra(deps, w)) } };
}

export function defaultParams(w: World): Record<string, string> {
  return { orgId: w.org.id, projectId: w.project.id, typeId: w.type.id, userId: w.member.id };
}
