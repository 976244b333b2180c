import type { Actor } from "../actor";
import { contributorIn, standingIn } from "../roles";

export type ProjectResource = { id: string; orgId: string };

const any = (a: Actor, p: ProjectResource) => standingIn(a, p) !== null;
const adminRead = (a: Actor, p: ProjectResource) => ["admin", "owner", "viewer"].includes(standingIn(a, p) ?? "");
const adminWrite = (a: Actor, p: ProjectResource) => ["admin", "owner"].includes(standingIn(a, p) ?? "");

export const projectPolicy = {
  /** The project's name and status: everyone on it. */
  read: any,
  /** Pipelines, tasks, team roster, agents, runs, export, dashboard: Owners, Viewers, Org Admins. */
  inspect: adminRead,
  /** Name, description, pipelines, types, team, agents, runs, tasks: Owners and Org Admins. */
  write: adminWrite,
  /** Ingest agent runs, import tasks: Owners and Org Admins (and keys with `runs:write`: access/scope.ts). */
  ingest: adminWrite,
  /** Making and revoking the project's API keys: an Owner or Org Admin signed in, never an API key. */
  grant: (a: Actor, p: ProjectResource) => adminWrite(a, p) && !a.apiKey,
  /** Archive and delete: Org Admins only. */
  manage: (a: Actor, p: ProjectResource) => standingIn(a, p) === "admin",
  /** Queue, claims, submissions: a Contributor assignment in this project. */
  work: (a: Actor, p: ProjectResource) => contributorIn(a, p.id) !== null,
};
