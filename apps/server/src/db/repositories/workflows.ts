/**
 * Workflows and their versions. Versions are numbered 1, 2, … and immutable; `workflows.latest_version` is the
 * optimistic-concurrency token: a save names the version it was based on and fails with CONFLICT when
 * someone saved in between, instead of silently overwriting their edit.
 * @public
 */
import { and, desc, eq, lt, sql, type SQL } from 'drizzle-orm';
import { AppError } from '../../errors.ts';
import type { AppDb } from '../client.ts';
import { workflowVersions, workflows, type AuthorKind } from '../schema.ts';
import { assertUuids, isUuid, mapConstraintErrors } from './dbErrors.ts';
import { afterKey, decodeCursor, encodeCursor, pageSize, timestampKey, toPage, type Page, type PageArgs } from './pagination.ts';

/** A workflow row. @public */
export type Workflow = typeof workflows.$inferSelect;
/** A workflow version row. @public */
export type WorkflowVersion = typeof workflowVersions.$inferSelect;

/** The content and author of a version. @public */
export interface VersionWrite {
  dsl: string;
  canvas: unknown;
  authorKind: AuthorKind;
  authorUserId?: string | null;
  episodeId?: string | null;
  checkpointId?: string | null;
  message?: string;
}

/** Fields of a new workflow, with its first version. @public */
export interface NewWorkflow {
  name: string;
  description?: string;
  taskKind?: string | null;
  createdBy?: string | null;
  version: VersionWrite;
}

function versionReferences(version: VersionWrite): Record<string, string | null | undefined> {
  return { 'author user': version.authorUserId, episode: version.episodeId, checkpoint: version.checkpointId };
}

const MISSING_REFERENCE = 'expected the user, episode and checkpoint referenced by the workflow version to exist, got a missing one';

/** Creates a workflow and its version 1 in one transaction. @public */
export async function createWorkflow(db: AppDb, input: NewWorkflow): Promise<{ workflow: Workflow; version: WorkflowVersion }> {
  const { version: first, ...fields } = input;
  assertUuids({ user: fields.createdBy, ...versionReferences(first) });
  return mapConstraintErrors(
    () =>
      db.transaction(async (tx) => {
        const [workflow] = await tx
          .insert(workflows)
          .values({ ...fields, latestVersion: 1 })
          .returning();
        const [version] = await tx
          .insert(workflowVersions)
          .values({ ...first, workflowId: workflow!.id, version: 1 })
          .returning();
        return { workflow: workflow!, version: version! };
      }),
    { notFound: MISSING_REFERENCE },
  );
}

/**
 * Saves a new version on top of `expectedVersion` (the version the editor started from) and returns it.
 * NOT_FOUND for an unknown workflow; CONFLICT when the latest version is no longer `expectedVersion`.
 * @public
 */
export async function saveWorkflowVersion(
  db: AppDb,
  input: VersionWrite & { workflowId: string; expectedVersion: number },
): Promise<WorkflowVersion> {
  const { workflowId, expectedVersion, ...content } = input;
  assertUuids({ workflow: workflowId, ...versionReferences(content) });
  return mapConstraintErrors(
    () =>
      db.transaction(async (tx) => {
        // The compare-and-set on latest_version is also a row lock: concurrent saves serialise and only one
        // of them sees its expected version.
        const [workflow] = await tx
          .update(workflows)
          .set({ latestVersion: sql`${workflows.latestVersion} + 1`, updatedAt: sql`now()` })
          .where(and(eq(workflows.id, workflowId), eq(workflows.latestVersion, expectedVersion)))
          .returning({ latestVersion: workflows.latestVersion });
        if (!workflow) {
          const [current] = await tx.select({ latestVersion: workflows.latestVersion }).from(workflows).where(eq(workflows.id, workflowId));
          if (!current) throw new AppError('NOT_FOUND', `expected an existing workflow, got id ${workflowId}`);
          throw new AppError(
            'CONFLICT',
            `expected workflow ${workflowId} to be at version ${expectedVersion}, got version ${current.latestVersion} (saved by someone else meanwhile)`,
          );
        }
        const [version] = await tx
          .insert(workflowVersions)
          .values({ ...content, workflowId, version: workflow.latestVersion })
          .returning();
        return version!;
      }),
    { notFound: MISSING_REFERENCE },
  );
}

/** @public */
export async function getWorkflow(db: AppDb, id: string): Promise<Workflow | undefined> {
  if (!isUuid(id)) return undefined;
  const [workflow] = await db.select().from(workflows).where(eq(workflows.id, id));
  return workflow;
}

/** One version, or the latest when `version` is omitted. @public */
export async function getWorkflowVersion(db: AppDb, workflowId: string, version?: number): Promise<WorkflowVersion | undefined> {
  if (!isUuid(workflowId)) return undefined;
  const condition =
    version === undefined
      ? sql`${workflowVersions.version} = (select latest_version from ${workflows} where id = ${workflowId})`
      : eq(workflowVersions.version, version);
  const [row] = await db
    .select()
    .from(workflowVersions)
    .where(and(eq(workflowVersions.workflowId, workflowId), condition));
  return row;
}

/** A workflow's versions, newest first. @public */
export async function listWorkflowVersions(db: AppDb, workflowId: string, args: PageArgs = {}): Promise<Page<WorkflowVersion>> {
  const size = pageSize(args.first);
  const tag = `workflowVersions:${workflowId}`;
  if (!isUuid(workflowId)) return { items: [], cursors: [], hasNextPage: false, endCursor: null };
  const conditions: SQL[] = [eq(workflowVersions.workflowId, workflowId)];
  if (args.after) {
    const [version] = decodeCursor(tag, args.after, ['int'] as const);
    conditions.push(lt(workflowVersions.version, version));
  }
  const rows = await db
    .select()
    .from(workflowVersions)
    .where(and(...conditions))
    .orderBy(desc(workflowVersions.version))
    .limit(size + 1);
  return toPage(rows, size, (row) => encodeCursor(tag, [row.version]));
}

/** All workflows, newest first. @public */
export async function listWorkflows(db: AppDb, args: PageArgs = {}): Promise<Page<Workflow>> {
  const size = pageSize(args.first);
  const tag = 'workflows';
  const conditions: SQL[] = [];
  if (args.after) {
    const [createdAt, id] = decodeCursor(tag, args.after, ['timestamp', 'uuid'] as const);
    conditions.push(afterKey('desc', [workflows.createdAt, workflows.id], [sql`${createdAt}::timestamptz`, sql`${id}::uuid`]));
  }
  const rows = await db
    .select({ workflow: workflows, key: timestampKey(workflows.createdAt) })
    .from(workflows)
    .where(and(...conditions))
    .orderBy(desc(workflows.createdAt), desc(workflows.id))
    .limit(size + 1);
  return toPage(
    rows,
    size,
    (row) => encodeCursor(tag, [row.key, row.workflow.id]),
    (row) => row.workflow,
  );
}
