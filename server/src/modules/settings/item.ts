// What one org settings item (models, MCP servers, criteria, prompts, templates,
// credentials) tells the shared CRUD helper: its schemas, how input becomes a
// row, and how a row goes out. Each item lives in its own small file.
import type { ZodType } from "zod";
import type { Deps } from "../../deps";
import type { AppError } from "../../http/errors";
import type { Tx } from "../../infra/prisma";

export interface OrgRow {
  id: string;
  orgId: string;
  createdAt: Date;
}

/** The slice of a Prisma model delegate the helper uses. */
export interface Table<Row> {
  findMany(args: object): Promise<Row[]>;
  findFirst(args: object): Promise<Row | null>;
  create(args: { data: any }): Promise<Row>;
  update(args: { where: { id: string }; data: any }): Promise<Row>;
  delete(args: { where: { id: string } }): Promise<Row>;
}

export interface OrgItem<Row extends OrgRow, Create, Patch, View> {
  /** URL segment: /api/orgs/:orgId/<path>. */
  path: string;
  /** Singular noun for summaries and "not found". */
  noun: string;
  /** Audit action prefix and resource type, e.g. "model". */
  resource: string;
  /** The SQL table, for the row lock an update takes (e.g. "LlmModel"). */
  tableName: string;
  schema: ZodType<View>;
  createBody: ZodType<Create>;
  patchBody: ZodType<Patch>;
  table(db: Tx): Table<Row>;
  /** Row data for a new item (without orgId). May seal secrets with deps.secrets. */
  toCreate(input: Create, deps: Deps): Record<string, unknown>;
  /** Row changes for an update; only the fields the patch names. */
  toUpdate(input: Patch, before: Row, deps: Deps): Record<string, unknown>;
  view(row: Row): View;
  /**
   * Before a delete, the row locked: what the delete takes from others (e.g. the
   * agents that used a model), added to the audit entry's `before`.
   */
  onDelete?(tx: Tx, id: string): Promise<Record<string, unknown>>;
  /** What the audit log keeps of a row: the view by default (views never carry secrets). */
  audit?(row: Row): Record<string, unknown>;
  /** Answer for a unique-constraint violation (e.g. a duplicate key or type). */
  onUnique?(): AppError;
  /** Audit action names when they are not create/update/delete. */
  verbs?: { create?: string; update?: string; delete?: string };
  /** Summaries per verb, for the API document. */
  summaries?: { create?: string; update?: string; delete?: string };
  /** Extra list order (default: createdAt, then id). */
  orderBy?: object[];
}
