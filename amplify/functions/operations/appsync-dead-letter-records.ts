import { z } from 'zod';
import { AppSyncRequestError, type GraphqlTransport } from '../render-worker/appsync-job-store';

/** One kept dead letter: the job it names, how often it was received, and when the worker kept it. */
export interface DeadLetterRecord {
  jobId: string;
  receiveCount: number;
  deadLetteredAt: string;
}

/** The dead-letter archive (the DeadLetterRecord model): kept by the worker, read and consumed by admins. */
export interface DeadLetterRecords {
  /** Keeps a record; a second keep of the same job (a redelivered dead letter) leaves the first one. */
  keep(record: DeadLetterRecord): Promise<void>;
  /** One page of records: a read, so simultaneous listings all see the same archive. */
  listPage(
    limit: number,
    nextToken?: string | null,
  ): Promise<{ items: DeadLetterRecord[]; nextToken: string | null }>;
  /** Removes the job's record and resolves it; null when it is not there (another admin took it first). */
  take(jobId: string): Promise<DeadLetterRecord | null>;
}

const FIELDS = 'jobId receiveCount deadLetteredAt';
const CREATE = `mutation KeepDeadLetter($input: CreateDeadLetterRecordInput!) {
  createDeadLetterRecord(input: $input) { ${FIELDS} } }`;
const LIST = `query ListDeadLetterRecords($limit: Int, $nextToken: String) {
  listDeadLetterRecords(limit: $limit, nextToken: $nextToken) { items { ${FIELDS} } nextToken } }`;
const DELETE = `mutation TakeDeadLetter($input: DeleteDeadLetterRecordInput!, $condition: ModelDeadLetterRecordConditionInput) {
  deleteDeadLetterRecord(input: $input, condition: $condition) { ${FIELDS} } }`;

const recordSchema = z.object({
  jobId: z.string().min(1),
  receiveCount: z.number().int().min(0),
  deadLetteredAt: z.string().min(1),
});
const pageSchema = z.object({
  listDeadLetterRecords: z.object({
    items: z.array(recordSchema.nullable()),
    nextToken: z.string().nullish(),
  }),
});

const isConditionFailure = (error: unknown) =>
  error instanceof AppSyncRequestError &&
  /ConditionalCheckFailed/.test(error.errorType ?? error.message);

const parse = <T>(schema: z.ZodType<T>, data: unknown, what: string): T => {
  const parsed = schema.safeParse(data);
  if (!parsed.success)
    throw new Error(
      `AppSync's ${what} must match the DeadLetterRecord model (${parsed.error.issues[0]?.message}), but got ${JSON.stringify(data).slice(0, 200)}`,
    );
  return parsed.data;
};

/** The archive over the data API (IAM): the worker's and the operations function's, in the cloud and locally. */
export const createAppSyncDeadLetterRecords = (send: GraphqlTransport): DeadLetterRecords => ({
  async keep(record) {
    try {
      await send(CREATE, { input: record });
    } catch (error) {
      // Amplify's create is conditional on the key being new: the job's dead letter is kept already.
      if (isConditionFailure(error)) return;
      throw error;
    }
  },
  async listPage(limit, nextToken) {
    const page = parse(
      pageSchema,
      await send(LIST, { limit, nextToken }),
      'listDeadLetterRecords',
    ).listDeadLetterRecords;
    return {
      items: page.items.filter((item): item is DeadLetterRecord => item !== null),
      nextToken: page.nextToken ?? null,
    };
  },
  async take(jobId) {
    try {
      const data = (await send(DELETE, {
        input: { jobId },
        // DynamoDB deletes a missing key without complaint: only a delete of an existing record counts as taken.
        condition: { deadLetteredAt: { attributeExists: true } },
      })) as { deleteDeadLetterRecord?: unknown };
      if (!data.deleteDeadLetterRecord) return null;
      return parse(recordSchema, data.deleteDeadLetterRecord, 'deleteDeadLetterRecord');
    } catch (error) {
      if (isConditionFailure(error)) return null;
      throw error;
    }
  },
});

/** The worker's keeper over the archive: called once a dead letter's job has ended FAILED. */
export const createDeadLetterKeeper =
  (records: Pick<DeadLetterRecords, 'keep'>, clock: { now(): number }) =>
  (jobId: string, receiveCount: number): Promise<void> =>
    records.keep({ jobId, receiveCount, deadLetteredAt: new Date(clock.now()).toISOString() });
