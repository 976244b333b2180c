// Persona rules as pure functions. A persona changes what is shown, never what
// is permitted: the server's /api/me says which personas an account has.
import type { Me, Persona } from "./api/types";

/** The switch shows only for an account with both an admin role and a contributor role. */
export function canSwitchPersona(personas: readonly Persona[]): boolean {
  return personas.includes("admin") && personas.includes("contributor");
}

/** The persona to show: the stored choice when still allowed, else admin first, else contributor. */
export function resolvePersona(personas: readonly Persona[], stored: string | null | undefined): Persona | null {
  if (stored && (personas as readonly string[]).includes(stored)) return stored as Persona;
  if (personas.includes("admin")) return "admin";
  if (personas.includes("contributor")) return "contributor";
  return null;
}

export const otherPersona = (p: Persona): Persona => (p === "admin" ? "contributor" : "admin");

export const switchLabel = (current: Persona) => (current === "admin" ? "Switch to Contributor" : "Switch to Admin");

/** Where each persona starts. */
export function homeFor(persona: Persona | null, me: Me | null): string {
  if (persona === "contributor") return "/work";
  if (!me) return "/login";
  const adminOrg = me.orgs.find((o) => o.role === "admin");
  return adminOrg ? `/orgs/${adminOrg.id}/dashboard` : "/projects";
}

/** Paths that belong to a persona; a path of the other persona switches to it (a shared link). */
export function personaOfPath(path: string): Persona | null {
  if (path === "/work" || path.startsWith("/work/")) return "contributor";
  if (path.startsWith("/projects") || path.startsWith("/orgs/")) return "admin";
  return null;
}
