/**
 * Reviews (a human's verdict on an agent-built workflow) and corrections (a fixed workflow that becomes a
 * training demonstration). The tables serve the review queue of a later issue; these functions are the
 * minimal write/read surface it starts from.
 * @public
 */
import { and, desc, eq, isNull, sql, type SQL } from 'drizzle-orm';
import type { AppDb } from '../client.ts';
import { corrections, reviews, type ReviewVerdict } from '../schema.ts';
import { assertUuids, isUuid, mapConstraintErrors } from './dbErrors.ts';
import { afterKey, decodeCursor, encodeCursor, pageSize, timestampKey, toPage, type Page, type PageArgs } from './pagination.ts';

/** A review row. @public */
export type Review = typeof reviews.$inferSelect;
/** A correction row. @public */
export type Correction = typeof corrections.$inferSelect;

/** Fields of a new review. @public */
export interface NewReview {
  episodeId: string;
  reviewerId?: string | null;
  verdict: ReviewVerdict;
  comment?: string;
}

/** Fields of a new correction. @public */
export interface NewCorrection {
  episodeId: string;
  reviewId?: string | null;
  taskId: string;
  dataset: string;
  correctedDsl: string;
  authorId?: string | null;
}

/** Filters and page of {@link listCorrections}. @public */
export interface ListCorrectionsArgs extends PageArgs {
  dataset?: string | null;
  /** Only corrections no run has consumed yet (the next demonstrations). */
  unusedOnly?: boolean | null;
}

const MISSING = 'expected the episode, review and user referenced to exist, got a missing one';

/** @public */
export async function createReview(db: AppDb, input: NewReview): Promise<Review> {
  assertUuids({ episode: input.episodeId, user: input.reviewerId });
  const [review] = await mapConstraintErrors(() => db.insert(reviews).values(input).returning(), { notFound: MISSING });
  return review!;
}

/** @public */
export async function createCorrection(db: AppDb, input: NewCorrection): Promise<Correction> {
  assertUuids({ episode: input.episodeId, review: input.reviewId, user: input.authorId });
  const [correction] = await mapConstraintErrors(() => db.insert(corrections).values(input).returning(), { notFound: MISSING });
  return correction!;
}

/** An episode's reviews, newest first. @public */
export async function listReviews(db: AppDb, episodeId: string): Promise<Review[]> {
  if (!isUuid(episodeId)) return [];
  return db.select().from(reviews).where(eq(reviews.episodeId, episodeId)).orderBy(desc(reviews.createdAt), desc(reviews.id));
}

/** Corrections newest first, optionally of one dataset and/or not yet used by a run. @public */
export async function listCorrections(db: AppDb, args: ListCorrectionsArgs = {}): Promise<Page<Correction>> {
  const size = pageSize(args.first);
  const tag = `corrections:${args.dataset ?? ''}:${args.unusedOnly ? 'unused' : 'all'}`;
  const conditions: SQL[] = [];
  if (args.dataset) conditions.push(eq(corrections.dataset, args.dataset));
  if (args.unusedOnly) conditions.push(isNull(corrections.usedInRunId));
  if (args.after) {
    const [createdAt, id] = decodeCursor(tag, args.after, ['timestamp', 'uuid'] as const);
    conditions.push(afterKey('desc', [corrections.createdAt, corrections.id], [sql`${createdAt}::timestamptz`, sql`${id}::uuid`]));
  }
  const rows = await db
    .select({ correction: corrections, key: timestampKey(corrections.createdAt) })
    .from(corrections)
    .where(and(...conditions))
    .orderBy(desc(corrections.createdAt), desc(corrections.id))
    .limit(size + 1);
  return toPage(
    rows,
    size,
    (row) => encodeCursor(tag, [row.key, row.correction.id]),
    (row) => row.correction,
  );
}
