import { describe, expect, it } from "vitest";
import type { Me } from "./api/types";
import { canInspectProject, canManageProject, canWriteProject, contributorProjects, isOrgAdmin } from "./abilities";
import { isCurrent, menuFor } from "./menu";
import { canSwitchPersona, homeFor, otherPersona, personaOfPath, resolvePersona, switchLabel } from "./persona";

const me = (over: Partial<Me> = {}): Me => ({
  user: { id: "u1", email: "a@x.test", name: "Ada" },
  orgs: [{ id: "o1", name: "Org", role: "member" }],
  projects: [],
  personas: [],
  ...over,
});

describe("persona switch", () => {
  it("shows only for accounts with both an admin and a contributor role", () => {
    expect(canSwitchPersona(["admin", "contributor"])).toBe(true);
    expect(canSwitchPersona(["admin"])).toBe(false);
    expect(canSwitchPersona(["contributor"])).toBe(false);
    expect(canSwitchPersona([])).toBe(false);
  });

  it("labels the switch with the persona it goes to", () => {
    expect(switchLabel("admin")).toBe("Switch to Contributor");
    expect(switchLabel("contributor")).toBe("Switch to Admin");
    expect(otherPersona("admin")).toBe("contributor");
  });

  it("keeps a stored choice only while the account still has it", () => {
    expect(resolvePersona(["admin", "contributor"], "contributor")).toBe("contributor");
    expect(resolvePersona(["admin"], "contributor")).toBe("admin");
    expect(resolvePersona(["contributor"], null)).toBe("contributor");
    expect(resolvePersona(["admin", "contributor"], "bogus")).toBe("admin");
    expect(resolvePersona([], "admin")).toBeNull();
  });

  it("starts contributors at their queues and Org Admins at the org dashboard", () => {
    const admin = me({ orgs: [{ id: "o1", name: "Org", role: "admin" }] });
    expect(homeFor("contributor", admin)).toBe("/work");
    expect(homeFor("admin", admin)).toBe("/orgs/o1/dashboard");
    expect(homeFor("admin", me())).toBe("/projects");
  });

  it("knows which persona a path belongs to", () => {
    expect(personaOfPath("/work/claims/c1")).toBe("contributor");
    expect(personaOfPath("/projects/p1/tasks")).toBe("admin");
    expect(personaOfPath("/inbox")).toBeNull();
  });
});

describe("abilities", () => {
  it("lets Owners and Org Admins write, Viewers only read", () => {
    expect(canWriteProject("admin")).toBe(true);
    expect(canWriteProject("owner")).toBe(true);
    expect(canWriteProject("viewer")).toBe(false);
    expect(canWriteProject("contributor")).toBe(false);
    expect(canInspectProject("viewer")).toBe(true);
    expect(canInspectProject("contributor")).toBe(false);
    expect(canManageProject("owner")).toBe(false);
    expect(canManageProject("admin")).toBe(true);
  });

  it("finds Org Admins per org and contributor projects that are not archived", () => {
    const m = me({
      orgs: [
        { id: "o1", name: "A", role: "admin" },
        { id: "o2", name: "B", role: "member" },
      ],
      projects: [
        { id: "p1", orgId: "o1", name: "P1", role: "contributor", contributorType: null, status: "active" },
        { id: "p2", orgId: "o1", name: "P2", role: "contributor", contributorType: null, status: "archived" },
        { id: "p3", orgId: "o2", name: "P3", role: "viewer", contributorType: null, status: "active" },
      ],
    });
    expect(isOrgAdmin(m, "o1")).toBe(true);
    expect(isOrgAdmin(m, "o2")).toBe(false);
    expect(contributorProjects(m).map((p) => p.id)).toEqual(["p1"]);
  });
});

describe("sidebar menu", () => {
  it("gives contributors their work and notifications", () => {
    const labels = menuFor("contributor", me(), "o1").map((i) => i.label);
    expect(labels).toEqual(["Work queues", "My claims", "Submitted", "Notifications"]);
  });

  it("gives org pages only to Org Admins of that org", () => {
    const admin = me({ orgs: [{ id: "o1", name: "Org", role: "admin" }] });
    expect(menuFor("admin", admin, "o1").map((i) => i.label)).toEqual(["Dashboard", "Projects", "People", "Settings", "Audit log", "Notifications"]);
    expect(menuFor("admin", me(), "o1").map((i) => i.label)).toEqual(["Projects", "Notifications"]);
  });

  it("marks the current entry without lighting up /work for its sub-pages", () => {
    const [queues, claims] = menuFor("contributor", me(), null);
    expect(isCurrent(queues!, "/work")).toBe(true);
    expect(isCurrent(queues!, "/work/claims")).toBe(false);
    expect(isCurrent(claims!, "/work/claims")).toBe(true);
    const projects = menuFor("admin", me(), "o1").find((i) => i.label === "Projects")!;
    expect(isCurrent(projects, "/projects/p1/team")).toBe(true);
  });
});
