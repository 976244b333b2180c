// The shapes the API answers with (API.md). Kept by hand beside the server's zod
// schemas; the served /api/openapi.json is the reference when they differ.
import type { HistoryStep, Who } from "../history";

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

/** cancelled: taken out of every queue by an Owner; it may be reopened. */
export type TaskStatus = "queued" | "claimed" | "completed" | "cancelled";
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
  /** Whether the assignment applies at the current node (its assignee may work it); null without one or once completed. */
  assignmentApplies?: boolean | null;
  [more: string]: unknown;
}

export interface QueueItem {
  nodeId: string;
  pipelineId: string;
  name: string;
  kind: NodeKind;
  available: number;
  /** Of `available`, what is kept for me alone: returned to me by a review, or assigned to me. */
  reservedForMe?: { rework: number; assigned: number };
  myClaims: MyClaim[];
  canClaim: boolean;
  reason?: string | null;
  opensAt?: string | null;
  /** While my work schedule is open: when it closes next (absent if not within the week). */
  closesAt?: string | null;
  pipelineName?: string;
  /** Versions share the pipeline's name: an old one is listed while it still holds work. */
  pipelineVersion?: number;
}

/** A task I could claim now at a node (GET …/queue/:nodeId/tasks), in Claim next's order. */
export interface AvailableTask {
  id: string;
  priority: number;
  createdAt: string;
  /** The payload's first 200 characters as JSON text. */
  preview: string;
  /** Kept for me: returned to me for rework, or assigned to me; null when open to others too. */
  reservedForMe: "rework" | "assigned" | null;
  /** With rework: the start of the reviewer's comment. */
  reviewComment: string | null;
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

/** GET /api/me/submissions: my evaluations and my reviews, newest first. */
interface MineBase {
  id: string;
  projectId: string;
  taskId: string;
  nodeId: string;
  nodeName: string | null;
  createdAt: string;
}
export type Verdict = "pass" | "return";
export type MySubmission =
  | (MineBase & {
      kind: "evaluation";
      answers: Record<string, unknown> | null;
      attempt: number;
      review: { verdict: Verdict; comment: string | null; round: number; createdAt: string } | null;
      /** Returned to me and waiting for my rework now at this node (absent from older servers). */
      reworkWaiting?: boolean;
    })
  | (MineBase & { kind: "review"; submissionId: string; verdict: Verdict; comment: string | null; round: number });

export type NotificationType = "review_ready" | "reviews_waiting" | "work_returned" | "claim_expiring" | "claim_expired";

export interface Notification {
  id: string;
  type: NotificationType | string;
  title: string;
  body: string;
  link: string;
  /** Since when it is unread: what the server's unread count counts by (`countedUpTo`). */
  createdAt: string;
  /** Its latest arrival (the inbox's order): a review digest moves it as tasks reach its node. */
  updatedAt?: string;
  /** How many arrivals it stands for (a review digest's tasks); 1 otherwise. */
  count?: number;
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

/** The org's items an agent may use, as a project's pickers read them (no key, token or URL). */
export interface ModelRef {
  id: string;
  name: string;
  provider: string;
  modelId: string;
}
/** `version`: the prompt's current version. */
export interface PromptRef {
  id: string;
  name: string;
  version: number;
}
export interface McpServerRef {
  id: string;
  name: string;
  tools: string[];
}

export interface Agent {
  id: string;
  projectId: string;
  name: string;
  description: string;
  config?: unknown;
  status: "active" | "paused" | "archived";
  model: ModelRef | null;
  /** `version`: the one pinned, or null (the prompt's current one). */
  prompt: { id: string; name: string; version: number | null; currentVersion: number } | null;
  mcpServers: McpServerRef[];
  runs?: number;
  createdAt: string;
  [more: string]: unknown;
}

/** A run as lists give it: sizes and the start of each part, never the parts. */
export interface RunSummary {
  id: string;
  projectId: string;
  agentId: string;
  pipelineId: string;
  taskId: string;
  /** The agent's own id for the run (ingest is idempotent by it); null when none was sent. */
  externalId: string | null;
  /** The state of the task the run created. */
  task: { status: TaskStatus; nodeId: string; completedAt: string | null } | null;
  /** Bytes of each part as JSON text; trace null when the run has none. */
  sizes: { input: number; output: number; trace: number | null };
  /** The first 200 characters of each part as text. */
  preview: { input: string; output: string };
  createdAt: string;
}

/** One run whole: GET /api/runs/:runId. */
export interface Run extends RunSummary {
  input: unknown;
  output: unknown;
  trace: unknown;
}

/** The run behind a task, as the data explorer and the export give it. */
export interface TaskRun {
  id: string;
  agentId: string;
  externalId: string | null;
  createdAt: string;
}

/** A task with its whole story: GET /api/tasks/:taskId. */
export interface TaskDetail extends Task {
  run: TaskRun | null;
  history: HistoryStep[];
  claims: { id: string; nodeId: string; user: Who; outcome: string; claimedAt: string; expiresAt: string; endedAt: string | null }[];
  submissions: { id: string; nodeId: string; user: Who; answers: Record<string, unknown>; attempt: number; createdAt: string }[];
  reviews: { id: string; nodeId: string; user: Who; verdict: "pass" | "return"; comment: string | null; round: number; createdAt: string }[];
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

/** A project key's permissions (server/src/access/scope.ts). */
export type KeyPermission = "read" | "runs:write";

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  key?: string;
  createdAt: string;
  lastUsedAt?: string | null;
  revokedAt?: string | null;
  /** org: its maker's rights in the org; project: only in projectId, for its permissions. */
  scope: "org" | "project";
  projectId: string | null;
  permissions: KeyPermission[] | null;
}

export interface Credential {
  id: string;
  type: string;
  masked: string;
  createdAt: string;
}
