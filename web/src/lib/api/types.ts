// The shapes the API answers with (API.md). Kept by hand beside the server's zod
// schemas; the served /api/openapi.json is the reference when they differ.

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface User {
  id: string;
  email: string;
  name: string;
}

export type OrgRole = "admin" | "member";
export type ProjectRole = "owner" | "viewer" | "contributor";
export type Persona = "admin" | "contributor";
export type Standing = "admin" | ProjectRole | null;

export interface Me {
  user: User;
  orgs: { id: string; name: string; role: OrgRole }[];
  projects: { id: string; orgId: string; name: string; status?: string; role: ProjectRole; contributorType: { id: string; name: string } | null }[];
  personas: Persona[];
}

export interface Session {
  token: string;
  user: User;
}

export interface Org {
  id: string;
  name: string;
  createdAt: string;
  role: OrgRole;
}

export interface Project {
  id: string;
  orgId: string;
  name: string;
  description: string;
  status: "active" | "archived";
  createdAt: string;
  updatedAt: string;
  myRole: Standing;
}

export interface Person {
  user: User;
  orgRole: OrgRole;
  status: "active" | "invited";
  projects: { projectId: string; role: string; contributorTypeId: string | null }[];
}

export interface Invitation {
  token: string;
  url: string;
  expiresAt: string;
}

export interface Member {
  userId: string;
  email: string;
  name: string;
  role: ProjectRole;
  contributorType: { id: string; name: string } | null;
  createdAt: string;
}

export interface ScheduleWindow {
  days: number[];
  start: string;
  end: string;
}

export interface Schedule {
  timezone: string;
  windows: ScheduleWindow[];
  exceptions?: { date: string; closed: true }[];
}

export interface ContributorType {
  id: string;
  projectId: string;
  name: string;
  claimLimit: number;
  poolLimit: number | null;
  schedule: Schedule | null;
  members: number;
  createdAt: string;
}

export type CriterionKind = "rating" | "boolean" | "choice" | "text";

export interface Criterion {
  key: string;
  label: string;
  kind: CriterionKind;
  required?: boolean;
  min?: number | null;
  max?: number | null;
  options?: string[] | null;
  description?: string | null;
}

export type NodeKind = "task" | "review" | "end";

export interface PipelineNode {
  id?: string;
  key: string;
  kind: NodeKind;
  name: string;
  contributorTypeId?: string | null;
  leaseSeconds?: number;
  /** Heartbeats extend a lease up to this long after the claim (the server's default: 4 × the lease). */
  maxLeaseSeconds?: number | null;
  form?: { criteria: Criterion[] } | null;
  /** Review nodes: the key (in definitions) of the task node they review. */
  reviews?: string | null;
  position?: number;
}

export type PipelineStatus = "active" | "archived";

export interface Pipeline {
  id: string;
  projectId: string;
  name: string;
  description?: string;
  nodes: PipelineNode[];
  createdAt: string;
  templateId?: string | null;
  /** archived: takes no new tasks; the tasks in it finish. Absent from older servers: active. */
  status?: PipelineStatus;
  version?: number;
  previousId?: string | null;
  /** The version that replaced this one. */
  nextId?: string | null;
}

export type TaskStatus = "queued" | "claimed" | "completed";
export type ClaimOutcome = "active" | "submitted" | "released" | "expired" | "revoked";

export interface Task {
  id: string;
  projectId: string;
  pipelineId: string;
  nodeId: string;
  status: TaskStatus;
  priority: number;
  payload: unknown;
  createdAt: string;
  updatedAt?: string;
  completedAt?: string | null;
  assignedUserId?: string | null;
  assignedTypeId?: string | null;
  [more: string]: unknown;
}

export interface QueueItem {
  nodeId: string;
  pipelineId: string;
  name: string;
  kind: NodeKind;
  available: number;
  myClaims: MyClaim[];
  canClaim: boolean;
  reason?: string | null;
  opensAt?: string | null;
  pipelineName?: string;
  /** Versions share the pipeline's name: an old one is listed while it still holds work. */
  pipelineVersion?: number;
}

export interface MyClaim {
  id: string;
  taskId: string;
  token: string;
  expiresAt: string;
  nodeId?: string;
}

export interface Claim {
  id: string;
  taskId: string;
  nodeId: string;
  token: string;
  expiresAt: string;
}

export interface Submission {
  id: string;
  taskId: string;
  nodeId: string;
  projectId?: string;
  answers?: Record<string, unknown> | null;
  verdict?: "pass" | "return";
  comment?: string | null;
  createdAt: string;
  [more: string]: unknown;
}

export type NotificationType = "review_ready" | "work_returned" | "claim_expiring" | "claim_expired";

export interface Notification {
  id: string;
  type: NotificationType | string;
  title: string;
  body: string;
  link: string;
  createdAt: string;
  readAt?: string | null;
}

export type Timeframe = "24h" | "7d" | "30d" | "90d" | "all";

export interface Point {
  t: string;
  v: number | null;
}

export interface Metric {
  value: number | null;
  previous: number | null;
  series: Point[];
}

export interface Dashboard {
  timeframe: Timeframe;
  from: string | null;
  to: string;
  widgets: {
    projects?: { count: number; previous: number | null; series: Point[]; items: { id: string; name: string; status: string; contributors: number }[] };
    activity: { submissions: Metric; completedTasks: Metric; dailyActiveSubmitters: Metric };
    pipelineCompletion: { value: number | null; completed: number; total: number };
    engagement: { avgSubmissionsPerActiveContributor: Metric; maxSubmissionsByContributor: Metric };
    firstReviewPassRate: Metric;
    avgReviewsPerReviewNode: Metric;
  };
}

/** The live dashboard counters (server/src/modules/dashboard/counters.ts decides the names). */
export type Counters = { [name: string]: number | null };

export interface Agent {
  id: string;
  projectId: string;
  name: string;
  description: string;
  config?: unknown;
  status: "active" | "paused" | "archived";
  createdAt: string;
  [more: string]: unknown;
}

export interface Run {
  id: string;
  projectId: string;
  agentId: string;
  pipelineId: string;
  taskId: string;
  input: unknown;
  output: unknown;
  trace?: unknown;
  /** The agent's own id for the run (ingest is idempotent by it); null when none was sent. */
  externalId: string | null;
  /** The state of the task the run created. */
  task: { status: "queued" | "claimed" | "completed"; nodeId: string; completedAt: string | null } | null;
  createdAt: string;
  [more: string]: unknown;
}

/** The run behind a task, as the data explorer and the export give it. */
export interface TaskRun {
  id: string;
  agentId: string;
  externalId: string | null;
  createdAt: string;
}

export interface AuditEntry {
  id: string;
  action: string;
  resourceType: string;
  resourceId: string | null;
  actorUserId?: string | null;
  actor?: { id: string; name: string; email?: string } | null;
  actorKeyId?: string | null;
  before?: unknown;
  after?: unknown;
  createdAt: string;
}

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  key?: string;
  createdAt: string;
  lastUsedAt?: string | null;
  revokedAt?: string | null;
}

export interface Credential {
  id: string;
  type: string;
  masked: string;
  createdAt: string;
}
