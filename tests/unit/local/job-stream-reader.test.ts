import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type DynamoDBStreamsClient,
  type _Record,
} from '@aws-sdk/client-dynamodb-streams';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  jobIdOfInsert,
  startJobStreamReader,
  type StreamBatchFailure,
} from '../../../local/pipeline/job-stream-reader';

let sequence = 0;
const record = (eventName: 'INSERT' | 'MODIFY' | 'REMOVE', id: string): _Record => ({
  eventName,
  dynamodb: {
    SequenceNumber: String(++sequence).padStart(8, '0'),
    NewImage: eventName === 'REMOVE' ? undefined : { id: { S: id } },
  },
});

/**
 * A DynamoDB Streams stand-in: shards of records, iterators as "shard|position". GetRecords answers at most its
 * `Limit` records (DynamoDB Streams answers up to 1,000); `calls` counts each command by name.
 */
function createFakeStreams() {
  const shards: { id: string; records: _Record[]; closed: boolean }[] = [];
  const calls = { DescribeStream: 0, GetRecords: 0 };
  const client = {
    send: async (command: unknown) => {
      if (command instanceof DescribeStreamCommand) calls.DescribeStream += 1;
      if (command instanceof GetRecordsCommand) calls.GetRecords += 1;
      if (command instanceof DescribeStreamCommand)
        return { StreamDescription: { Shards: shards.map((shard) => ({ ShardId: shard.id })) } };
      if (command instanceof GetShardIteratorCommand) {
        const { ShardId, ShardIteratorType, SequenceNumber } = command.input;
        const shard = shards.find((candidate) => candidate.id === ShardId)!;
        const position =
          ShardIteratorType === 'AFTER_SEQUENCE_NUMBER'
            ? shard.records.findIndex((r) => r.dynamodb?.SequenceNumber === SequenceNumber) + 1
            : 0;
        return { ShardIterator: `${ShardId}|${position}` };
      }
      if (command instanceof GetRecordsCommand) {
        const [id, position] = command.input.ShardIterator!.split('|');
        const shard = shards.find((candidate) => candidate.id === id)!;
        const limit = command.input.Limit ?? 1000;
        const records = shard.records.slice(Number(position), Number(position) + limit);
        const end = Number(position) + records.length;
        return { Records: records, NextShardIterator: shard.closed ? undefined : `${id}|${end}` };
      }
      throw new Error(`unexpected command ${String(command)}`);
    },
  };
  return { shards, calls, client: client as unknown as DynamoDBStreamsClient };
}

describe('jobIdOfInsert (the Pipe filter)', () => {
  it('passes INSERTs with their job id and drops the rest', () => {
    expect(jobIdOfInsert(record('INSERT', 'job-1'))).toBe('job-1');
    expect(jobIdOfInsert(record('MODIFY', 'job-1'))).toBeUndefined();
    expect(jobIdOfInsert(record('REMOVE', 'job-1'))).toBeUndefined();
    expect(jobIdOfInsert({ eventName: 'INSERT', dynamodb: { NewImage: {} } })).toBeUndefined();
  });

  it('drops batch rows: they wait in the table until their owner has a free slot', () => {
    const row = record('INSERT', 'b-row-00000');
    row.dynamodb!.NewImage!.batchId = { S: 'b' };
    expect(jobIdOfInsert(row)).toBeUndefined();
  });
});

describe('startJobStreamReader', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'stream-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const start = (
    client: DynamoDBStreamsClient,
    sent: string[],
    timing: { pollIntervalMs: number; pageLimit?: number } = { pollIntervalMs: 5 },
  ) =>
    startJobStreamReader({
      streams: client,
      streamArn: 'arn:stream',
      checkpointFile: join(dir, 'checkpoint.json'),
      send: async (jobId) => {
        sent.push(jobId);
      },
      ...timing,
    });

  it('sends each inserted job once, in order, across shards', async () => {
    const { shards, client } = createFakeStreams();
    shards.push({
      id: 's1',
      records: [record('INSERT', 'a'), record('MODIFY', 'a'), record('INSERT', 'b')],
      closed: true,
    });
    shards.push({ id: 's2', records: [record('INSERT', 'c')], closed: false });
    const sent: string[] = [];
    const reader = start(client, sent);
    await reader.nextRound();
    shards[1]!.records.push(record('MODIFY', 'c'), record('INSERT', 'd'));
    await reader.nextRound();
    await reader.stop();
    expect(sent).toEqual(['a', 'b', 'c', 'd']);
  });

  it('resumes after a restart where it stopped: nothing twice, nothing lost', async () => {
    const { shards, client } = createFakeStreams();
    shards.push({
      id: 's1',
      records: [record('INSERT', 'a'), record('INSERT', 'b')],
      closed: false,
    });
    const before: string[] = [];
    const first = start(client, before);
    await first.nextRound();
    await first.stop();
    // Written while the reader was down.
    shards[0]!.records.push(record('INSERT', 'c'));
    shards.push({ id: 's2', records: [record('INSERT', 'd')], closed: false });
    const after: string[] = [];
    const second = start(client, after);
    await second.nextRound();
    await second.stop();
    expect(before).toEqual(['a', 'b']);
    expect(after).toEqual(['c', 'd']);
  });

  it('keeps going after a failed send and does not skip the failed record', async () => {
    const { shards, client } = createFakeStreams();
    shards.push({
      id: 's1',
      records: [record('INSERT', 'a'), record('INSERT', 'b')],
      closed: false,
    });
    const sent: string[] = [];
    let failOnce = true;
    const reader = startJobStreamReader({
      streams: client,
      streamArn: 'arn:stream',
      checkpointFile: join(dir, 'checkpoint.json'),
      send: async (jobId) => {
        if (jobId === 'b' && failOnce) {
          failOnce = false;
          throw new Error('queue down');
        }
        sent.push(jobId);
      },
      pollIntervalMs: 5,
    });
    await reader.nextRound();
    await reader.nextRound();
    await reader.stop();
    expect(sent).toEqual(['a', 'b']);
  });

  it('reads a backlog page after page without waiting the poll interval between full pages', async () => {
    const { shards, client } = createFakeStreams();
    shards.push({
      id: 's1',
      records: ['a', 'b', 'c', 'd', 'e'].map((id) => record('INSERT', id)),
      closed: false,
    });
    const sent: string[] = [];
    // A minute between looks: three pages within the wait below only if full pages do not wait.
    const reader = start(client, sent, { pollIntervalMs: 60_000, pageLimit: 2 });
    await vi.waitFor(() => expect(sent).toEqual(['a', 'b', 'c', 'd', 'e']), { timeout: 5_000 });
    await reader.stop();
  });

  it('waits the poll interval after a page that was not full, even one with records (no tight loop on a trickle)', async () => {
    const { shards, calls, client } = createFakeStreams();
    shards.push({ id: 's1', records: [record('INSERT', 'a')], closed: false });
    const sent: string[] = [];
    const reader = start(client, sent, { pollIntervalMs: 60_000, pageLimit: 2 });
    await vi.waitFor(() => expect(sent).toEqual(['a']));
    shards[0]!.records.push(record('INSERT', 'b'));
    await new Promise((done) => setTimeout(done, 200));
    // One look, then the interval: 'b' waits for the next look, and no second GetRecords was made.
    expect(calls.GetRecords).toBe(1);
    expect(sent).toEqual(['a']);
    await reader.stop();
  });

  it('describes the stream once, not every round, while no shard closes', async () => {
    const { shards, calls, client } = createFakeStreams();
    shards.push({ id: 's1', records: [record('INSERT', 'a')], closed: false });
    const sent: string[] = [];
    const reader = start(client, sent);
    for (let round = 0; round < 5; round += 1) await reader.nextRound();
    await reader.stop();
    expect(sent).toEqual(['a']);
    expect(calls.GetRecords).toBeGreaterThanOrEqual(10);
    expect(calls.DescribeStream).toBe(1);
  });

  it('describes the stream again when a shard closes, and reads the new shard that follows it', async () => {
    const { shards, calls, client } = createFakeStreams();
    shards.push({ id: 's1', records: [record('INSERT', 'a')], closed: false });
    const sent: string[] = [];
    const reader = start(client, sent);
    await reader.nextRound();
    shards[0]!.records.push(record('INSERT', 'b'));
    shards[0]!.closed = true;
    shards.push({ id: 's2', records: [record('INSERT', 'c')], closed: false });
    await vi.waitFor(() => expect(sent).toEqual(['a', 'b', 'c']), { timeout: 5_000 });
    await reader.stop();
    expect(calls.DescribeStream).toBe(2);
  });

  it('a record handler that throws: the records before it stay handled, and it is read again', async () => {
    const { shards, client } = createFakeStreams();
    shards.push({
      id: 's1',
      records: [record('MODIFY', 'a'), record('MODIFY', 'b'), record('MODIFY', 'c')],
      closed: false,
    });
    const handling = (handle: (id: string) => void) =>
      startJobStreamReader({
        streams: client,
        streamArn: 'arn:stream',
        checkpointFile: join(dir, 'checkpoint.json'),
        handleRecord: async (r) => handle(r.dynamodb?.NewImage?.id?.S as string),
        pollIntervalMs: 5,
      });
    const handled: string[] = [];
    let failOnce = true;
    const reader = handling((id) => {
      if (id === 'b' && failOnce) {
        failOnce = false;
        throw new Error('fan-out down');
      }
      handled.push(id);
    });
    await vi.waitFor(() => expect(handled).toEqual(['a', 'b', 'c']), { timeout: 5_000 });
    await reader.stop();
    // A restart resumes after 'c': nothing handled twice.
    const again: string[] = [];
    const second = handling((id) => again.push(id));
    await second.nextRound();
    await second.stop();
    expect(again).toEqual([]);
  });

  it('a page handler: pages whole, read again from the record it reports failed, never before it', async () => {
    const { shards, client } = createFakeStreams();
    shards.push({
      id: 's1',
      records: ['a', 'b', 'c', 'd'].map((id) => record('MODIFY', id)),
      closed: false,
    });
    const idOf = (r: _Record) => r.dynamodb?.NewImage?.id?.S as string;
    const pages: string[][] = [];
    let failOnce = true;
    const paging = (pageLimit: number) =>
      startJobStreamReader({
        streams: client,
        streamArn: 'arn:stream',
        checkpointFile: join(dir, 'checkpoint.json'),
        handlePage: async (records) => {
          pages.push(records.map(idOf));
          const failed = records.find((r) => idOf(r) === 'c');
          if (failed && failOnce) {
            failOnce = false;
            // As Lambda's partial failure: the first record not handled, by sequence number.
            return { batchItemFailures: [{ itemIdentifier: failed.dynamodb!.SequenceNumber! }] };
          }
          return { batchItemFailures: [] };
        },
        pageLimit,
        pollIntervalMs: 5,
      });
    const reader = paging(1000);
    await vi.waitFor(() => expect(pages.at(-1)).toEqual(['c', 'd']), { timeout: 5_000 });
    await reader.stop();
    expect(pages.slice(0, 2)).toEqual([
      ['a', 'b', 'c', 'd'],
      ['c', 'd'],
    ]);
    // A restart resumes after 'd'; a record written since is one page of its own.
    shards[0]!.records.push(record('MODIFY', 'e'));
    pages.length = 0;
    const second = paging(1000);
    await second.nextRound();
    await second.stop();
    expect(pages).toEqual([['e']]);
  });

  /**
   * A reader over one shard whose page handler fails `failing` records, in Lambda's partial-failure answer, or by
   * throwing with `throws`; records it handles go to `handled`, every invocation per record to `attempts`.
   */
  const startGivingUp = (
    shardRecords: _Record[],
    options: {
      failing: string;
      throws?: boolean;
      retryAttempts: number;
      deadLetter?: (failure: StreamBatchFailure) => Promise<void>;
    },
  ) => {
    const { shards, client } = createFakeStreams();
    shards.push({ id: 's1', records: shardRecords, closed: false });
    const idOf = (r: _Record) => r.dynamodb?.NewImage?.id?.S as string;
    const seen = {
      handled: [] as string[],
      attempts: new Map<string, number>(),
      deadLettered: [] as StreamBatchFailure[],
      lines: [] as string[],
    };
    const reader = startJobStreamReader({
      streams: client,
      streamArn: 'arn:stream',
      checkpointFile: join(dir, 'checkpoint.json'),
      handlePage: async (records) => {
        for (const r of records) {
          seen.attempts.set(idOf(r), (seen.attempts.get(idOf(r)) ?? 0) + 1);
          if (idOf(r) === options.failing) {
            if (options.throws) throw new Error('recount store unavailable');
            return { batchItemFailures: [{ itemIdentifier: r.dynamodb!.SequenceNumber! }] };
          }
          seen.handled.push(idOf(r));
        }
        return { batchItemFailures: [] };
      },
      giveUp: {
        retryAttempts: options.retryAttempts,
        maxRecordAgeMs: 3_600_000,
        deadLetter:
          options.deadLetter ??
          (async (failure) => {
            seen.deadLettered.push(failure);
          }),
      },
      pollIntervalMs: 5,
      log: (line) => seen.lines.push(line),
    });
    return { reader, shards, seen };
  };

  it("one shard failing does not hold up another's records (each shard is read on its own)", async () => {
    const { shards, client } = createFakeStreams();
    shards.push({ id: 's1', records: [record('MODIFY', 'poison')], closed: false });
    shards.push({
      id: 's2',
      records: [record('MODIFY', 'x'), record('MODIFY', 'y')],
      closed: false,
    });
    // Every page handed over, in order: the failing shard's as "poison", the other's by its ids.
    const pages: string[] = [];
    const lines: string[] = [];
    const reader = startJobStreamReader({
      streams: client,
      streamArn: 'arn:stream',
      checkpointFile: join(dir, 'checkpoint.json'),
      // No give-up: the first shard fails for as long as the reader runs.
      handlePage: async (records) => {
        const ids = records.map((r) => r.dynamodb?.NewImage?.id?.S as string);
        pages.push(ids.join(' '));
        const failed = records.find((r) => r.dynamodb?.NewImage?.id?.S === 'poison');
        return {
          batchItemFailures: failed ? [{ itemIdentifier: failed.dynamodb!.SequenceNumber! }] : [],
        };
      },
      pollIntervalMs: 10,
      log: (line) => lines.push(line),
    });
    await vi.waitFor(() => expect(pages).toContain('x y'), { timeout: 2_000 });
    await reader.stop();
    // The other shard is read in the same round as the first failure, right after it.
    expect(pages.slice(0, 2)).toEqual(['poison', 'x y']);
    expect(pages.filter((page) => page === 'x y')).toHaveLength(1);
    expect(lines.some((line) => line.includes('s1: handling stream record'))).toBe(true);
  });

  it('a page handler that keeps failing a record: given up after the retries, described, and read on after it', async () => {
    const { reader, shards, seen } = startGivingUp(
      ['a', 'poison', 'c'].map((id) => record('MODIFY', id)),
      { failing: 'poison', retryAttempts: 3 },
    );
    await vi.waitFor(() => expect(seen.handled).toEqual(['a', 'c']), { timeout: 5_000 });
    await reader.stop();
    // The first invocation and three retries, as Lambda counts `retryAttempts`.
    expect(seen.attempts.get('poison')).toBe(4);
    expect(seen.attempts.get('a')).toBe(1);
    expect(seen.deadLettered).toHaveLength(1);
    const poison = shards[0]!.records[1]!.dynamodb!.SequenceNumber!;
    expect(seen.deadLettered[0]).toMatchObject({
      requestContext: { condition: 'RetryAttemptsExhausted', approximateInvokeCount: 4 },
      DDBStreamBatchInfo: {
        shardId: 's1',
        startSequenceNumber: poison,
        endSequenceNumber: poison,
        batchSize: 1,
        streamArn: 'arn:stream',
      },
    });
  });

  it('gives up at once on a failing record older than the maximum age, and retries while the description fails to send', async () => {
    const old = record('MODIFY', 'old');
    old.dynamodb!.ApproximateCreationDateTime = new Date(Date.now() - 2 * 3_600_000);
    const sent: StreamBatchFailure[] = [];
    let sendFailures = 2;
    const { reader, seen } = startGivingUp([old, record('MODIFY', 'next')], {
      failing: 'old',
      retryAttempts: 10,
      deadLetter: async (failure) => {
        // The dead-letter queue refusing: nothing is skipped until the description is sent.
        if (sendFailures-- > 0) throw new Error('queue unavailable');
        sent.push(failure);
      },
    });
    await vi.waitFor(() => expect(seen.handled).toEqual(['next']), { timeout: 5_000 });
    await reader.stop();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.requestContext).toEqual({
      condition: 'RecordAgeExceeded',
      approximateInvokeCount: 3,
    });
    expect(sent[0]!.DDBStreamBatchInfo.approximateArrivalOfFirstRecord).toBe(
      old.dynamodb!.ApproximateCreationDateTime!.toISOString(),
    );
  });

  it('a page handler that throws fails its whole page: counted and given up like a reported failure', async () => {
    const { reader, shards, seen } = startGivingUp([record('MODIFY', 'boom')], {
      failing: 'boom',
      throws: true,
      retryAttempts: 2,
    });
    await vi.waitFor(() => expect(seen.deadLettered).toHaveLength(1), { timeout: 5_000 });
    shards[0]!.records.push(record('MODIFY', 'after'));
    await vi.waitFor(() => expect(seen.handled).toEqual(['after']), { timeout: 5_000 });
    await reader.stop();
    expect(seen.attempts.get('boom')).toBe(3);
    expect(seen.deadLettered[0]!.requestContext.approximateInvokeCount).toBe(3);
    expect(seen.lines.some((line) => line.includes('recount store unavailable'))).toBe(true);
  });
});
