import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { AmplifyFunctionResource } from '../functions/amplify-function-resource';
import { BATCH_ROW_FILTERS } from './batch-access';
import {
  JOB_ENDING_FILTER,
  STREAM_SOURCE_MAX_RECORD_AGE_SECONDS,
  STREAM_SOURCE_RETRY_ATTEMPTS,
} from './webhook-delivery';

/**
 * What the Job table's one Lambda reader gets: rows of batches (for their progress) or job endings (for webhooks).
 * Lambda ORs an event source's filters.
 */
export const JOB_STREAM_LAMBDA_FILTERS = [
  ...BATCH_ROW_FILTERS,
  FilterCriteria.filter(JOB_ENDING_FILTER),
];

/** Records per invocation: a second's coalescing of a busy batch's rows. */
export const JOB_STREAM_BATCH_SIZE = 1000;

/**
 * The Job table's stream has exactly two readers, the most DynamoDB Streams allows per shard before it throttles
 * (docs/architecture.md, "Batches"): the render Pipe (single jobs' INSERTs) and this one event source, on the
 * batch-progress function, which recounts batches and queues job endings to webhooks (job-stream-handler.ts).
 * - a batching window of one progress interval, so one invocation coalesces a second of a batch's rows;
 * - partial failures by sequence number (a failed fan-out), bisected, retried, at most an hour old, then the
 *   webhook fan-out's dead-letter queue, whose alarm already watches job endings that could not be fanned out.
 */
export const readJobStream = (
  reader: AmplifyFunctionResource,
  jobTable: ITable,
  deadLetterQueue: IQueue,
): void => {
  reader.resources.lambda.addEventSource(
    new DynamoEventSource(jobTable, {
      startingPosition: StartingPosition.LATEST,
      batchSize: JOB_STREAM_BATCH_SIZE,
      maxBatchingWindow: Duration.seconds(1),
      // A recount is idempotent (it counts, it does not add) and a job ending's event id is fixed, so a record read
      // again double-counts nothing and is one event to a receiver.
      retryAttempts: STREAM_SOURCE_RETRY_ATTEMPTS,
      maxRecordAge: Duration.seconds(STREAM_SOURCE_MAX_RECORD_AGE_SECONDS),
      parallelizationFactor: 1,
      bisectBatchOnError: true,
      reportBatchItemFailures: true,
      onFailure: new SqsDlq(deadLetterQueue),
      filters: JOB_STREAM_LAMBDA_FILTERS,
    }),
  );
};
