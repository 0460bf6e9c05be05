import type { DynamoDBBatchResponse } from 'aws-lambda';
import type { EndingStreamRecord } from '../webhooks/wire-webhooks';
import type { BatchProgressScheduler } from './batch-progress';
import { batchIdsOfStreamRecords, type JobStreamRecord } from './batch-stream-records';

/** A Job stream record as the one Lambda event source on that stream delivers it (batch rows and job endings). */
export type JobTableStreamRecord = JobStreamRecord & EndingStreamRecord;

/**
 * The Job table's one Lambda reader (docs/architecture.md, "Batches", "The Job stream's two readers"): DynamoDB
 * Streams allows two readers per shard, and the render Pipe is the other. Its event source passes batch rows and
 * job endings; each record is given to both consumers, and each ignores what is not its own:
 * - batch progress: every batch a record touches is recounted, at most once per interval;
 * - webhooks: a job's ending is queued once per subscribed endpoint of its owner, at once.
 * Resolves after the recount that follows the last record, or after `waitMs` if a recount is still running or
 * waiting then (one that keeps failing). The answer is Lambda's partial failure: the earlier of the first record whose
 * fan-out failed and the first record of a batch not yet recounted. Lambda reads again from there; a second recount
 * of a batch counts nothing twice, and a job ending's event id is fixed, so a record read again is one event to a
 * receiver. A stuck recount thus holds back its shard, as before, but never turns into a timeout that would
 * queue a whole page of endings again.
 */
export function createJobStreamHandler(consumers: {
  progress: Pick<BatchProgressScheduler, 'noteChanged' | 'idle' | 'unsettled'>;
  fanOutEndings: (event: { Records: EndingStreamRecord[] }) => Promise<DynamoDBBatchResponse>;
}) {
  return async (
    event: { Records: JobTableStreamRecord[] },
    options: { waitMs: number },
  ): Promise<DynamoDBBatchResponse> => {
    const { Records: records } = event;
    for (const batchId of batchIdsOfStreamRecords(records)) consumers.progress.noteChanged(batchId);
    const fannedOut = consumers.fanOutEndings({ Records: records });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const settled = await Promise.race([
      consumers.progress.idle().then(() => true),
      new Promise<false>((done) => {
        timer = setTimeout(() => done(false), Math.max(0, options.waitMs));
      }),
    ]);
    clearTimeout(timer);
    const endings = await fannedOut;
    if (settled) return endings;
    const unsettled = new Set(consumers.progress.unsettled());
    const failedFanOut = endings.batchItemFailures[0]?.itemIdentifier;
    const first = records.findIndex(
      (record) =>
        (failedFanOut !== undefined && record.dynamodb?.SequenceNumber === failedFanOut) ||
        unsettled.has(batchIdsOfStreamRecords([record])[0] ?? ''),
    );
    if (first === -1) return endings;
    return {
      batchItemFailures: [{ itemIdentifier: records[first]?.dynamodb?.SequenceNumber ?? '' }],
    };
  };
}
