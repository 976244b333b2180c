// Every page of the app: path pattern → page component, title, and the persona
// it belongs to. The first matching route wins.
import type { Component } from "svelte";
import type { Persona } from "$lib/api/types";
import Login from "./pages/auth/Login.svelte";
import AcceptInvite from "./pages/auth/AcceptInvite.svelte";
import ResetPassword from "./pages/auth/ResetPassword.svelte";
import Home from "./pages/Home.svelte";
import NotFound from "./pages/NotFound.svelte";

type Page = Component<{ params: Record<string, string> }>;

export interface RouteDef {
  path: string;
  /** Pages take their path parameters as props; most load on first use (smaller first download). */
  load: () => Promise<{ default: Page }>;
  title: string;
  public?: boolean;
  persona?: Persona;
}

const p = (path: string, load: RouteDef["load"], title: string, more: Partial<RouteDef> = {}): RouteDef => ({ path, load, title, ...more });

export const routes: RouteDef[] = [
  p("/login", async () => ({ default: Login }), "Sign in", { public: true }),
  p("/accept-invite", async () => ({ default: AcceptInvite }), "Accept invitation", { public: true }),
  p("/reset-password", async () => ({ default: ResetPassword }), "Reset password", { public: true }),
  p("/", async () => ({ default: Home }), "Pipelines"),
  p("/inbox", () => import("./pages/Inbox.svelte"), "Notifications"),
  p("/account", () => import("./pages/Account.svelte"), "Your account"),
  p("/work", () => import("./pages/contributor/Queues.svelte"), "Work queues", { persona: "contributor" }),
  p("/work/claims", () => import("./pages/contributor/Claims.svelte"), "My claims", { persona: "contributor" }),
  p("/work/claims/:claimId", () => import("./pages/contributor/Work.svelte"), "Task", { persona: "contributor" }),
  p("/work/submissions", () => import("./pages/contributor/Submissions.svelte"), "Submitted", { persona: "contributor" }),
  // Notification links point at a project's queue (and node).
  p("/projects/:projectId/queue", () => import("./pages/contributor/Queues.svelte"), "Work queue", { persona: "contributor" }),
  p("/projects/:projectId/queue/:nodeId", () => import("./pages/contributor/Available.svelte"), "Available tasks", { persona: "contributor" }),
  p("/projects", () => import("./pages/admin/Projects.svelte"), "Projects", { persona: "admin" }),
  p("/orgs/:orgId/projects", () => import("./pages/admin/Projects.svelte"), "Projects", { persona: "admin" }),
  p("/projects/:projectId", () => import("./pages/admin/project/Overview.svelte"), "Project", { persona: "admin" }),
  p("/projects/:projectId/pipelines", () => import("./pages/admin/project/Pipelines.svelte"), "Pipelines", { persona: "admin" }),
  p("/projects/:projectId/pipelines/new", () => import("./pages/admin/project/PipelineEdit.svelte"), "New pipeline", { persona: "admin" }),
  p("/projects/:projectId/pipelines/:pipelineId", () => import("./pages/admin/project/PipelineEdit.svelte"), "Pipeline", { persona: "admin" }),
  p("/projects/:projectId/tasks", () => import("./pages/admin/project/Tasks.svelte"), "Tasks", { persona: "admin" }),
  p("/projects/:projectId/tasks/:taskId", () => import("./pages/admin/project/TaskDetail.svelte"), "Task", { persona: "admin" }),
  p("/projects/:projectId/import", () => import("./pages/admin/project/Import.svelte"), "Import tasks", { persona: "admin" }),
  p("/projects/:projectId/types", () => import("./pages/admin/project/Types.svelte"), "Contributor types", { persona: "admin" }),
  p("/projects/:projectId/team", () => import("./pages/admin/project/Team.svelte"), "Team", { persona: "admin" }),
  p("/projects/:projectId/agents", () => import("./pages/admin/project/Agents.svelte"), "Agents", { persona: "admin" }),
  p("/projects/:projectId/runs", () => import("./pages/admin/project/Runs.svelte"), "Runs", { persona: "admin" }),
  p("/projects/:projectId/settings", () => import("./pages/admin/project/ProjectSettings.svelte"), "Project settings", { persona: "admin" }),
  p("/orgs/:orgId/dashboard", () => import("./pages/org/OrgDashboard.svelte"), "Dashboard", { persona: "admin" }),
  p("/orgs/:orgId/people", () => import("./pages/org/People.svelte"), "People", { persona: "admin" }),
  p("/orgs/:orgId/settings", () => import("./pages/org/Settings.svelte"), "Settings", { persona: "admin" }),
  p("/orgs/:orgId/settings/:section", () => import("./pages/org/Settings.svelte"), "Settings", { persona: "admin" }),
  p("/orgs/:orgId/audit", () => import("./pages/org/Audit.svelte"), "Audit log", { persona: "admin" }),
  p("/*", async () => ({ default: NotFound }), "Not found"),
];
