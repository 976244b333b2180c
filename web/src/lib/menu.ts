// The sidebar's entries per persona (pure, tested): contributors get their
// work; admins get the org pages only when they are Org Admins of it.
import type { Me, Persona } from "./api/types";
import { isOrgAdmin } from "./abilities";

export interface MenuItem {
  href: string;
  label: string;
  icon: string;
  badge?: "unread" | "claims";
  /** Also current for paths under this prefix. */
  prefix?: string;
}

export function menuFor(persona: Persona | null, me: Me | null, orgId: string | null): MenuItem[] {
  if (!me || !persona) return [];
  if (persona === "contributor") {
    return [
      { href: "/work", label: "Work queues", icon: "▤" },
      { href: "/work/claims", label: "My claims", icon: "◷", badge: "claims" },
      { href: "/work/submissions", label: "Submitted", icon: "✓" },
      { href: "/inbox", label: "Notifications", icon: "✉", badge: "unread" },
    ];
  }
  const items: MenuItem[] = [];
  if (orgId && isOrgAdmin(me, orgId)) items.push({ href: `/orgs/${orgId}/dashboard`, label: "Dashboard", icon: "◔" });
  items.push({ href: orgId ? `/orgs/${orgId}/projects` : "/projects", label: "Projects", icon: "▦", prefix: "/projects" });
  if (orgId && isOrgAdmin(me, orgId)) {
    items.push(
      { href: `/orgs/${orgId}/people`, label: "People", icon: "☺" },
      { href: `/orgs/${orgId}/settings`, label: "Settings", icon: "⚙", prefix: `/orgs/${orgId}/settings` },
      { href: `/orgs/${orgId}/audit`, label: "Audit log", icon: "☰" },
    );
  }
  items.push({ href: "/inbox", label: "Notifications", icon: "✉", badge: "unread" });
  return items;
}

export function isCurrent(item: MenuItem, path: string): boolean {
  if (path === item.href) return true;
  if (item.prefix && (path === item.prefix || path.startsWith(item.prefix + "/"))) return true;
  // "/work" must not light up for "/work/claims".
  return item.href !== "/work" && !item.href.endsWith("/projects") && path.startsWith(item.href + "/");
}
