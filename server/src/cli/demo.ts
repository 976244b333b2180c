// The demo organization seeded on an empty database by the one-command start.
import { hashPassword } from "../auth/passwords";
import type { Db } from "../infra/prisma";

export const DEMO_PASSWORD = "pipelines-demo";

export const DEMO_USERS = [
  { email: "admin@demo.test", name: "Ada Admin", note: "Org Admin, also a contributor (Domain Expert)" },
  { email: "owner@demo.test", name: "Owen Owner", note: "Project Owner" },
  { email: "viewer@demo.test", name: "Vera Viewer", note: "Project Viewer (read-only)" },
  { email: "alice@demo.test", name: "Alice Evaluator", note: "Contributor, Domain Expert" },
  { email: "bob@demo.test", name: "Bob Evaluator", note: "Contributor, Safety Reviewer" },
  { email: "rita@demo.test", name: "Rita Reviewer", note: "Contributor, QA Specialist (reviews)" },
] as const;

/** Hooks later areas use to add demo content (pipelines, tasks) to the seeded project. */
export type DemoExtension = (db: Db, ctx: DemoContext) => Promise<void>;
export interface DemoContext {
  orgId: string;
  projectId: string;
  users: Record<string, string>; // email → id
  types: Record<string, string>; // type name → id
}

export async function seedDemoIfEmpty(db: Db, extensions: DemoExtension[] = []): Promise<DemoContext | null> {
  if ((await db.organization.count()) > 0) return null;
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  return db.$transaction(async (tx) => {
    const org = await tx.organization.create({ data: { name: "Demo Org" } });
    const users: Record<string, string> = {};
    for (const u of DEMO_USERS) {
      const row = await tx.user.create({ data: { email: u.email, name: u.name, passwordHash } });
      users[u.email] = row.id;
      await tx.orgMember.create({ data: { orgId: org.id, userId: row.id, role: u.email.startsWith("admin") ? "admin" : "member" } });
    }
    const project = await tx.project.create({
      data: { orgId: org.id, name: "Agent Evals", description: "Human evaluation of the support agent's runs" },
    });
    const types: Record<string, string> = {};
    const typeDefs = [
      { name: "Domain Expert", claimLimit: 3, poolLimit: 10 },
      { name: "Safety Reviewer", claimLimit: 2, poolLimit: null },
      {
        name: "QA Specialist",
        claimLimit: 5,
        poolLimit: null,
        schedule: { timezone: "UTC", windows: [{ days: [1, 2, 3, 4, 5, 6, 7], start: "00:00", end: "24:00" }], exceptions: [] },
      },
    ];
    for (const t of typeDefs) types[t.name] = (await tx.contributorType.create({ data: { projectId: project.id, ...t } })).id;
    const members: Array<[string, string, string | null]> = [
      ["admin@demo.test", "contributor", types["Domain Expert"]!],
      ["owner@demo.test", "owner", null],
      ["viewer@demo.test", "viewer", null],
      ["alice@demo.test", "contributor", types["Domain Expert"]!],
      ["bob@demo.test", "contributor", types["Safety Reviewer"]!],
      ["rita@demo.test", "contributor", types["QA Specialist"]!],
    ];
    for (const [email, role, typeId] of members)
      await tx.projectMember.create({ data: { projectId: project.id, userId: users[email]!, role, contributorTypeId: typeId } });
    const ctx = { orgId: org.id, projectId: project.id, users, types };
    for (const ext of extensions) await ext(tx as unknown as Db, ctx);
    return ctx;
  });
}
