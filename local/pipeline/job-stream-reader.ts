import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DynamoDBBatchResponse } from 'aws-lambda';
import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type DynamoDBStreamsClient,
  type _Record,
} from '@aws-sdk/client-dynamodb-streams';

/**
 * The Pipe's filter (`JOB_STREAM_FILTER`: an INSERT whose new image has no `batchId.S`) and its target input: the new
 * job's id, or nothing. Batch rows wait in the table until their owner's freed slot wakes them.
 */
export function jobIdOfInsert(record: _Record): string | undefined {
  if (record.eventName !== 'INSERT') return undefined;
  if (record.dynamodb?.NewImage?.batchId?.S !== undefined) return undefined;
  const id = record.dynamodb?.NewImage?.id?.S;
  return id ? id : undefined;
}

/** Sends of one page in flight at once, when records are sent one by one. */
const SEND_CONCURRENCY = 10;
/** Records asked of one GetRecords call: DynamoDB Streams' maximum. A page this full means more are waiting. */
const PAGE_LIMIT = 1000;
/**
 * How often the shard list is described again while no shard closes. DynamoDB Local builds a stream description
 * for every DescribeStream and GetRecords; during a 3,000-row batch that step was three quarters of its busy
 * samples (jstack) while each reader described the stream every round (docs/architecture.md, "Local mode").
 */
const SHARD_REFRESH_MS = 10_000;

/**
 * What Lambda sends a stream event source's on-failure destination when it gives up on records: a description of
 * the batch (shard and sequence numbers), not the records, which stay readable in the stream for 24 hours.
 */
export interface StreamBatchFailure {
  version: '1.0';
  timestamp: string;
  requestContext: {
    condition: 'RetryAttemptsExhausted' | 'RecordAgeExceeded';
    approximateInvokeCount: number;
  };
  DDBStreamBatchInfo: {
    shardId: string;
    startSequenceNumber: string;
    endSequenceNumber: string;
    approximateArrivalOfFirstRecord?: string;
    approximateArrivalOfLastRecord?: string;
    batchSize: number;
    streamArn: string;
  };
}

/**
 * A Lambda stream event source's limits (`retryAttempts`, `maxRecordAge`, `onFailure`): a record the handler keeps
 * failing is given up after `retryAttempts` retries or once older than `maxRecordAgeMs`, described to `deadLetter`,
 * and the reader goes on after it. Without this a failing record is read again every round, forever.
 */
export interface StreamGiveUp {
  retryAttempts: number;
  maxRecordAgeMs: number;
  deadLetter: (failure: StreamBatchFailure) => Promise<void>;
}

/** Where the reader got to in each shard: the last handled sequence number, or done for a closed shard. */
export type StreamCheckpoint = Record<string, { sequenceNumber?: string; closed?: boolean }>;

/** Reads and writes the checkpoint file atomically (write, then rename). */
export function createCheckpointFile(file: string) {
  return {
    load(): StreamCheckpoint {
      if (!existsSync(file)) return {};
      return JSON.parse(readFileSync(file, 'utf8')) as StreamCheckpoint;
    },
    save(checkpoint: StreamCheckpoint) {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(`${file}.tmp`, JSON.stringify(checkpoint));
      renameSync(`${file}.tmp`, file);
    },
  };
}

/** A running stream reader. */
export interface JobStreamReader {
  /** Stops after the current round; resolves when it has. */
  stop(): Promise<void>;
  /** Resolves after one more full round over every shard (tests use it to wait for catch-up). */
  nextRound(): Promise<void>;
}

/**
 * The local stand-in for the EventBridge Pipe: polls the Job table's stream, keeps INSERTs only and
 * hands each new job id to `send` (which enqueues `{ jobId }`). The position in every shard is kept in
 * `checkpointFile` after each page of records is sent, so a restart resumes where it stopped: nothing is lost,
 * and at most the page in flight at the stop is sent twice (the worker ignores duplicates).
 */
export function startJobStreamReader(options: {
  streams: DynamoDBStreamsClient;
  streamArn: string;
  checkpointFile: string;
  /** The render pipe: each selected record's job id. */
  send?: (jobId: string) => Promise<void>;
  /** Instead of `send`: a page's selected job ids at once (the Pipe's batched target, SendMessageBatch). */
  sendPage?: (jobIds: string[]) => Promise<void>;
  /** What of a record is sent; default the Pipe's filter, {@link jobIdOfInsert}. */
  select?: (record: _Record) => string | undefined;
  /** Instead of `select` + `send`: every record as it is (webhook fan-out reads MODIFYs); a throw retries it next round. */
  handleRecord?: (record: _Record) => Promise<void>;
  /**
   * Instead of the above: each page at once, as a Lambda event source hands its function a batch. The answer is
   * Lambda's partial failure: the checkpoint stops before the first failed record, read again next round.
   */
  handlePage?: (records: _Record[]) => Promise<DynamoDBBatchResponse>;
  /** With `handlePage`: when to give up on a failing record, as the cloud's event source does. */
  giveUp?: StreamGiveUp;
  pollIntervalMs?: number;
  /** Records asked per GetRecords (default DynamoDB Streams' 1,000); a full page is followed at once by the next. */
  pageLimit?: number;
  log?: (line: string) => void;
}): JobStreamReader {
  const log = options.log ?? (() => {});
  const interval = options.pollIntervalMs ?? 250;
  const pageLimit = options.pageLimit ?? PAGE_LIMIT;
  const file = createCheckpointFile(options.checkpointFile);
  const checkpoint = file.load();
  const iterators = new Map<string, string>();
  /** Per shard: the record the handler last failed and how many invocations have failed on it. */
  const failing = new Map<string, { sequenceNumber: string; invocations: number }>();
  let stopped = false;
  let roundWaiters: (() => void)[] = [];
  /** Ends the wait between rounds early (a stop does not wait out the interval). */
  let wake: () => void = () => {};

  /**
   * Sends one page's ids, `SEND_CONCURRENCY` at a time; returns how many leading ids were all sent and the
   * first failure, so a retry resends only from the first failed id on.
   */
  const sendEach = async (jobIds: string[]): Promise<{ sent: number; failure?: unknown }> => {
    const outcomes: (unknown | undefined)[] = [];
    let next = 0;
    const lane = async () => {
      while (next < jobIds.length) {
        const index = next;
        next += 1;
        try {
          await options.send?.(jobIds[index] as string);
          outcomes[index] = undefined;
        } catch (error) {
          outcomes[index] = error ?? new Error('send failed');
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(SEND_CONCURRENCY, jobIds.length) }, lane));
    const firstFailed = outcomes.findIndex((outcome) => outcome !== undefined);
    return firstFailed === -1
      ? { sent: jobIds.length }
      : { sent: firstFailed, failure: outcomes[firstFailed] };
  };

  const iteratorFor = async (shardId: string): Promise<string | undefined> => {
    const known = iterators.get(shardId);
    if (known) return known;
    const position = checkpoint[shardId]?.sequenceNumber;
    const { ShardIterator } = await options.streams.send(
      new GetShardIteratorCommand({
        StreamArn: options.streamArn,
        ShardId: shardId,
        ...(position
          ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: position }
          : { ShardIteratorType: 'TRIM_HORIZON' }),
      }),
    );
    return ShardIterator;
  };

  /** Hands each record on in order; the checkpoint is written once per page, or up to a record that threw. */
  const handleEach = async (shardId: string, records: _Record[]) => {
    let handled = 0;
    try {
      for (const record of records) {
        await options.handleRecord?.(record);
        handled += 1;
      }
    } finally {
      const last = records[handled - 1]?.dynamodb?.SequenceNumber;
      if (last) {
        checkpoint[shardId] = { sequenceNumber: last };
        file.save(checkpoint);
      }
    }
  };

  /**
   * Hands a page on whole; checkpoints up to the first record the handler reports failed, or the page's end. Returns
   * false when the rest of the page must be read again from the checkpoint (after a record was given up).
   */
  const handlePage = async (
    shardId: string,
    records: _Record[],
    handle: (records: _Record[]) => Promise<DynamoDBBatchResponse>,
  ): Promise<boolean> => {
    if (records.length === 0) return true;
    // A handler that throws failed the whole page, as a function error fails Lambda's invocation.
    let thrown: string | undefined;
    const failed = await handle(records).then(
      (response) => response.batchItemFailures[0]?.itemIdentifier,
      (error: unknown) => {
        thrown = error instanceof Error ? error.message : String(error);
        return records[0]?.dynamodb?.SequenceNumber;
      },
    );
    const failedAt =
      failed === undefined
        ? records.length
        : records.findIndex((record) => record.dynamodb?.SequenceNumber === failed);
    // An identifier that names no record of the page fails the whole page, as Lambda does.
    const done = failedAt === -1 ? 0 : failedAt;
    const saveUpTo = (sequenceNumber: string | undefined) => {
      if (!sequenceNumber) return;
      checkpoint[shardId] = { sequenceNumber };
      file.save(checkpoint);
    };
    saveUpTo(records[done - 1]?.dynamodb?.SequenceNumber);
    if (done === records.length) {
      failing.delete(shardId);
      return true;
    }
    const record = records[done] as _Record;
    const sequenceNumber = record.dynamodb?.SequenceNumber;
    if (!sequenceNumber) throw new Error(`a record of ${shardId} carries no sequence number`);
    const before = failing.get(shardId);
    const invocations = (before?.sequenceNumber === sequenceNumber ? before.invocations : 0) + 1;
    failing.set(shardId, { sequenceNumber, invocations });
    const giveUp = options.giveUp;
    const created = record.dynamodb?.ApproximateCreationDateTime;
    const tooOld = giveUp && created && Date.now() - created.getTime() > giveUp.maxRecordAgeMs;
    if (!giveUp || (invocations <= giveUp.retryAttempts && !tooOld))
      throw new Error(
        `handling stream record ${sequenceNumber} failed (${thrown ?? 'reported by the handler'}; ${invocations} invocation(s)); it is read again next round`,
      );
    // Bisecting, Lambda narrows a failing batch down to the failing record: only that record is given up.
    const arrived = created?.toISOString();
    await giveUp.deadLetter({
      version: '1.0',
      timestamp: new Date().toISOString(),
      requestContext: {
        condition: tooOld ? 'RecordAgeExceeded' : 'RetryAttemptsExhausted',
        approximateInvokeCount: invocations,
      },
      DDBStreamBatchInfo: {
        shardId,
        startSequenceNumber: sequenceNumber,
        endSequenceNumber: sequenceNumber,
        ...(arrived
          ? { approximateArrivalOfFirstRecord: arrived, approximateArrivalOfLastRecord: arrived }
          : {}),
        batchSize: 1,
        streamArn: options.streamArn,
      },
    });
    saveUpTo(sequenceNumber);
    failing.delete(shardId);
    log(
      `stream reader: gave up on record ${sequenceNumber} of ${shardId} after ${invocations} invocation(s)${tooOld ? ' (older than the maximum record age)' : ''}; described to the dead-letter queue`,
    );
    return false;
  };

  /** Reads and hands on one page of a shard; returns how many records the page held. */
  const readShard = async (shardId: string): Promise<number> => {
    const iterator = await iteratorFor(shardId);
    if (!iterator) return 0;
    const { Records = [], NextShardIterator } = await options.streams.send(
      new GetRecordsCommand({ ShardIterator: iterator, Limit: pageLimit }),
    );
    if (options.handlePage) {
      if (!(await handlePage(shardId, Records, options.handlePage))) {
        // A record was given up: the rest of the page is read again from just after it.
        iterators.delete(shardId);
        return Records.length;
      }
    } else if (options.handleRecord) await handleEach(shardId, Records);
    else if (Records.length > 0) {
      // A page at a time: its ids sent together, then one checkpoint. A stop mid-page sends the page again on
      // restart (the worker ignores a second message for a job); one send and file write per record cost more.
      const selected = Records.flatMap((record, index) => {
        const jobId = (options.select ?? jobIdOfInsert)(record);
        return jobId ? [{ jobId, index }] : [];
      });
      const jobIds = selected.map(({ jobId }) => jobId);
      if (options.sendPage) await options.sendPage(jobIds);
      else {
        const { sent, failure } = await sendEach(jobIds);
        if (sent < jobIds.length) {
          // Keep what was sent before the first failure; the next round reads again from the failed record.
          const failedAt = (selected[sent] as { index: number }).index;
          const lastSent = Records[failedAt - 1]?.dynamodb?.SequenceNumber;
          if (lastSent) {
            checkpoint[shardId] = { sequenceNumber: lastSent };
            file.save(checkpoint);
          }
          const reason = failure instanceof Error ? failure.message : String(failure);
          throw new Error(
            `sending job ${jobIds[sent]} failed (${reason}); it is retried next round`,
          );
        }
      }
      checkpoint[shardId] = { sequenceNumber: Records.at(-1)?.dynamodb?.SequenceNumber };
      file.save(checkpoint);
    }
    if (NextShardIterator) iterators.set(shardId, NextShardIterator);
    else {
      // A closed shard, read to its end: never read again.
      iterators.delete(shardId);
      checkpoint[shardId] = { ...checkpoint[shardId], closed: true };
      file.save(checkpoint);
    }
    return Records.length;
  };

  let shardIds: string[] = [];
  let describedAt = Number.NEGATIVE_INFINITY;
  /** The stream's shards, described again after a shard closed (its child follows) or every SHARD_REFRESH_MS. */
  const listShards = async (): Promise<string[]> => {
    if (Date.now() - describedAt < SHARD_REFRESH_MS) return shardIds;
    const { StreamDescription } = await options.streams.send(
      new DescribeStreamCommand({ StreamArn: options.streamArn }),
    );
    shardIds = (StreamDescription?.Shards ?? []).flatMap((shard) =>
      shard.ShardId ? [shard.ShardId] : [],
    );
    describedAt = Date.now();
    return shardIds;
  };

  /**
   * One page of every open shard; returns whether a page came back full (more records are waiting). A round that
   * read less waits the poll interval: a trickle of records is read four times a second, not in a tight loop. A
   * shard that fails does not hold up the others (the cloud's pollers read each shard on its own); the round then
   * throws its failures after reading every shard, and waits the interval before the failed ones are read again.
   */
  const round = async (): Promise<boolean> => {
    let full = false;
    const failures: string[] = [];
    for (const shardId of await listShards()) {
      if (checkpoint[shardId]?.closed) continue;
      try {
        const read = await readShard(shardId);
        if (read >= pageLimit) full = true;
        if (checkpoint[shardId]?.closed) describedAt = Number.NEGATIVE_INFINITY;
      } catch (error) {
        // An expired or trimmed iterator: start again from the checkpoint next round.
        iterators.delete(shardId);
        describedAt = Number.NEGATIVE_INFINITY;
        failures.push(`${shardId}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (failures.length > 0) throw new Error(failures.join('; '));
    return full;
  };

  const loop = (async () => {
    while (!stopped) {
      // A round that read a full page is followed at once by the next (a backlog drains page after page, as the
      // Pipe and Lambda's stream pollers do); any other round waits `interval` before the next look.
      let full = false;
      try {
        full = await round();
      } catch (error) {
        if (!stopped)
          log(`stream reader: ${error instanceof Error ? error.message : String(error)}`);
      }
      const waiters = roundWaiters;
      roundWaiters = [];
      for (const done of waiters) done();
      if (!stopped && !full)
        await new Promise<void>((done) => {
          const timer = setTimeout(done, interval);
          wake = () => {
            clearTimeout(timer);
            done();
          };
        });
    }
  })();

  return {
    async stop() {
      stopped = true;
      wake();
      await loop;
      for (const done of roundWaiters.splice(0)) done();
    },
    nextRound: () =>
      // Two completions: the round in progress may have started before the caller's write.
      new Promise<void>((done) => {
        roundWaiters.push(() => roundWaiters.push(done));
      }),
  };
}
