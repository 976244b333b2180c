// can(actor, action, resource) and authorize(...): the one place access is decided,
// for HTTP routes and socket subscriptions alike. An API key's scope is checked
// here, before any policy, so a project key reaches only what its permissions name.
import { forbidden, notFound } from "../http/errors";
import type { Actor } from "./actor";
import { orgRoleOf } from "./roles";
import { policies } from "./policies";
import { keyScopeOf } from "./scope";

type Policies = typeof policies;
export type Action = {
  [R in keyof Policies]: `${R & string}.${keyof Policies[R] & string}`;
}[keyof Policies];

type ResourceOf<A extends Action> = A extends `${infer R}.${infer V}`
  ? R extends keyof Policies
    ? V extends keyof Policies[R]
      ? Policies[R][V] extends (a: Actor, r: infer X) => boolean
        ? X
        : never
      : never
    : never
  : never;

export function can<A extends Action>(actor: Actor, action: A, resource: ResourceOf<A>): boolean {
  if (keyScopeOf(actor.apiKey, action, resource) !== "in") return false;
  const [r, v] = action.split(".") as [keyof Policies, string];
  const rule = (policies[r] as Record<string, (a: Actor, x: unknown) => boolean>)[v];
  return rule ? rule(actor, resource) : false;
}

/**
 * Throws 404 when the resource belongs to an org the actor is not in (exactly
 * like a resource that does not exist), or, for a project key, to another project;
 * 403 when they are in it but may not act.
 */
export function authorize<A extends Action>(actor: Actor, action: A, resource: ResourceOf<A> & { orgId: string }, what = "resource"): void {
  if (orgRoleOf(actor, resource.orgId) === null) throw notFound(what);
  if (keyScopeOf(actor.apiKey, action, resource) === "elsewhere") throw notFound(what);
  if (!can(actor, action, resource)) throw forbidden();
}
