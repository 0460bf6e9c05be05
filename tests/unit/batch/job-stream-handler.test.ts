// The Job table's one Lambda reader (amplify/functions/batches/job-stream-handler.ts): each record goes to batch
// progress and to the webhook fan-out, each taking only its own; a failed fan-out is reported by sequence number.
import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { createBatchProgressScheduler } from '../../../amplify/functions/batches/batch-progress';
import {
  createJobStreamHandler,
  type JobTableStreamRecord,
} from '../../../amplify/functions/batches/job-stream-handler';
import type {
  DeliveryMessage,
  WebhookDeliveryPorts,
  WebhookEndpointRecord,
  WebhookStore,
} from '../../../amplify/functions/webhooks/webhook-ports';
import { createEndingStreamHandler } from '../../../amplify/functions/webhooks/wire-webhooks';

const OWNER = 'sub-a::alma';
const OTHER = 'sub-b::boris';
const NOW = new Date('2026-12-07T11:00:00.000Z');

const job = (id: string, status: string, changes: Record<string, unknown> = {}) =>
  marshall(
    { id, owner: OWNER, status, compositionId: 'title-card', ...changes },
    { removeUndefinedValues: true },
  );
let sequence = 0;
const modify = (
  id: string,
  from: string,
  to: string,
  changes: Record<string, unknown> = {},
): JobTableStreamRecord => {
  sequence += 1;
  return {
    eventName: 'MODIFY',
    dynamodb: {
      SequenceNumber: String(sequence),
      OldImage: job(id, from, changes),
      NewImage: job(id, to, changes),
    },
  } as JobTableStreamRecord;
};

const endpoint = (owner: string, id: string): WebhookEndpointRecord => ({
  id,
  owner,
  url: `https://hooks.example.com/${id}`,
  events: ['job.succeeded', 'job.failed'],
  enabled: true,
});

/** Real scheduler and fan-out over memory: recounts and endpoint reads counted, the queue as a list. */
function harness(
  options: {
    failEnqueueOf?: string;
    failEndpointReads?: number;
    failRecountOf?: string;
    waitMs?: number;
  } = {},
) {
  const recounts: string[] = [];
  const endpointReads: string[] = [];
  const queued: DeliveryMessage[] = [];
  let failedReads = 0;
  const endpoints = [endpoint(OWNER, 'e-alma'), endpoint(OTHER, 'e-boris')];
  const ports = {
    store: {
      listEndpointsOf: async (owner: string) => {
        endpointReads.push(owner);
        if (failedReads < (options.failEndpointReads ?? 0)) {
          failedReads += 1;
          throw new Error('throttled');
        }
        return endpoints.filter((candidate) => candidate.owner === owner);
      },
    } as unknown as WebhookStore,
    queue: {
      enqueue: async (message: DeliveryMessage) => {
        const data = (JSON.parse(message.payload) as { data: { id: string } }).data;
        if (data.id === options.failEnqueueOf) throw new Error('queue unavailable');
        queued.push(message);
      },
    },
    now: () => NOW,
  } as unknown as WebhookDeliveryPorts;
  let recountsRunning = 0;
  const progress = createBatchProgressScheduler({
    recount: async (batchId) => {
      if (batchId === options.failRecountOf) throw new Error('AppSync unavailable');
      recountsRunning += 1;
      await new Promise((done) => setTimeout(done, 5));
      recounts.push(batchId);
      recountsRunning -= 1;
    },
    intervalMs: 10,
  });
  const handleWithin = createJobStreamHandler({
    progress,
    fanOutEndings: createEndingStreamHandler(ports),
  });
  const handle = (event: { Records: JobTableStreamRecord[] }) =>
    handleWithin(event, { waitMs: options.waitMs ?? 5_000 });
  return { handle, progress, recounts, endpointReads, queued, running: () => recountsRunning };
}

const idsOf = (queued: DeliveryMessage[]) =>
  queued.map((message) => (JSON.parse(message.payload) as { data: { id: string } }).data.id);

describe('the Job stream handler', () => {
  it('recounts every batch a record touches and queues every job ending, each record to both', async () => {
    const { handle, recounts, queued, running } = harness();
    const result = await handle({
      Records: [
        // A batch row starts rendering: progress only.
        modify('row-1', 'QUEUED', 'RENDERING', { batchId: 'b1', rowIndex: 0 }),
        // A single job ends: webhooks only.
        modify('single-1', 'RENDERING', 'SUCCEEDED'),
        // A batch row ends: both.
        modify('row-2', 'RENDERING', 'FAILED', { batchId: 'b1', rowIndex: 1 }),
        // Another batch's row moves, and a progress write of a single job: neither ending.
        modify('row-9', 'QUEUED', 'RENDERING', { batchId: 'b2', rowIndex: 0 }),
        modify('single-2', 'RENDERING', 'RENDERING', { progress: 0.5 }),
      ],
    });
    expect(result).toEqual({ batchItemFailures: [] });
    expect([...recounts].sort()).toEqual(['b1', 'b2']);
    // It resolved only after the recounts that follow its records.
    expect(running()).toBe(0);
    expect(idsOf(queued)).toEqual(['single-1', 'row-2']);
    expect(queued.map((message) => message.endpointId)).toEqual(['e-alma', 'e-alma']);
  });

  it('reports the first record whose fan-out failed, and still recounts the batches of the whole page', async () => {
    const { handle, recounts, queued } = harness({ failEnqueueOf: 'row-2' });
    const records = [
      modify('single-1', 'RENDERING', 'SUCCEEDED'),
      modify('row-2', 'RENDERING', 'SUCCEEDED', { batchId: 'b1', rowIndex: 1 }),
      modify('single-3', 'RENDERING', 'CANCELLED'),
      modify('row-4', 'QUEUED', 'RENDERING', { batchId: 'b3', rowIndex: 0 }),
    ];
    const result = await handle({ Records: records });
    expect(result).toEqual({
      batchItemFailures: [{ itemIdentifier: records[1]!.dynamodb!.SequenceNumber }],
    });
    // Lambda reads again from the failed record; the ending before it was queued once, none after it yet.
    expect(idsOf(queued)).toEqual(['single-1']);
    expect([...recounts].sort()).toEqual(['b1', 'b3']);
  });

  it('reads an owner’s endpoints once per invocation; after a failed read, the retried invocation reads again', async () => {
    const { handle, endpointReads, queued } = harness({ failEndpointReads: 1 });
    const page = () =>
      Array.from({ length: 5 }, (_, index) =>
        modify(`row-${index}`, 'RENDERING', 'SUCCEEDED', { batchId: 'b1', rowIndex: index }),
      );
    // The first read fails: the first record is reported, and the next invocation reads again.
    const failed = await handle({ Records: page() });
    expect(failed.batchItemFailures).toHaveLength(1);
    expect(endpointReads).toEqual([OWNER]);
    const again = await handle({ Records: [...page(), modify('x', 'QUEUED', 'FAILED')] });
    expect(again).toEqual({ batchItemFailures: [] });
    // Six endings of one owner in one invocation: one read.
    expect(endpointReads).toEqual([OWNER, OWNER]);
    expect(queued).toHaveLength(6);
  });

  it('answers within its wait when a recount keeps failing: the first record of that batch is read again', async () => {
    const { handle, progress, recounts, queued } = harness({
      failRecountOf: 'b-stuck',
      waitMs: 100,
    });
    const records = [
      modify('single-1', 'RENDERING', 'SUCCEEDED'),
      modify('row-2', 'QUEUED', 'RENDERING', { batchId: 'b-ok', rowIndex: 0 }),
      modify('row-3', 'RENDERING', 'SUCCEEDED', { batchId: 'b-stuck', rowIndex: 0 }),
      modify('single-4', 'RENDERING', 'FAILED'),
    ];
    const result = await handle({ Records: records });
    expect(result).toEqual({
      batchItemFailures: [{ itemIdentifier: records[2]!.dynamodb!.SequenceNumber }],
    });
    expect(recounts).toEqual(['b-ok']);
    // The endings were queued at once; those from the failed record on are queued again when it is read again,
    // with the same event ids.
    expect(idsOf(queued)).toEqual(['single-1', 'row-3', 'single-4']);
    await progress.close();
  });
});
