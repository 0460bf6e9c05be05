import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  batchEndingEventOf,
  batchEventIdOf,
} from '../../../amplify/functions/webhooks/batch-ending-events';
import type {
  DeliveryMessage,
  WebhookDeliveryPorts,
  WebhookEndpointRecord,
  WebhookStore,
} from '../../../amplify/functions/webhooks/webhook-ports';
import {
  createEndingStreamHandler,
  type EndingStreamRecord,
} from '../../../amplify/functions/webhooks/wire-webhooks';
import { webhookEventSchema } from '../../../contract/webhook-contract';

const OWNER = 'sub-a::alma';
const NOW = new Date('2026-12-06T03:00:00.000Z');
const FINISHED_AT = '2026-12-06T02:59:58.000Z';

/** A Batch row as the progress writer leaves it after each write. */
const batch = (changes: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: 'b1',
  owner: OWNER,
  compositionId: 'title-card',
  title: 'Spring sale',
  status: 'RUNNING',
  rowCount: 3,
  addedRows: 3,
  queued: 3,
  rendering: 0,
  succeeded: 0,
  failed: 0,
  cancelled: 0,
  progress: 0,
  costUsd: 0,
  metadata: JSON.stringify({ campaign: 'spring' }),
  clientToken: 'token-123456',
  createdAt: '2026-12-06T02:59:00.000Z',
  finishedAt: null,
  ...changes,
});

/** The successive images of a batch's life: each write is a MODIFY from the previous image. */
const modifies = (images: Record<string, unknown>[]): EndingStreamRecord[] =>
  images.slice(1).map((image, index) => ({
    eventName: 'MODIFY',
    dynamodb: {
      SequenceNumber: String(index + 1),
      OldImage: marshall(images[index]!, { removeUndefinedValues: true }),
      NewImage: marshall(image, { removeUndefinedValues: true }),
    },
  }));

const endpoint = (changes: Partial<WebhookEndpointRecord>): WebhookEndpointRecord => ({
  id: 'e1',
  owner: OWNER,
  url: 'https://hooks.example.com/x',
  events: ['batch.finished'],
  enabled: true,
  ...changes,
});

/** Ports over memory: the owner's endpoints, and the queue as a list. */
const portsWith = (endpoints: WebhookEndpointRecord[]) => {
  const queued: DeliveryMessage[] = [];
  const ports = {
    store: {
      listEndpointsOf: async (owner: string) => endpoints.filter((e) => e.owner === owner),
    } as unknown as WebhookStore,
    queue: { enqueue: async (message: DeliveryMessage) => void queued.push(message) },
    now: () => NOW,
  } as unknown as WebhookDeliveryPorts;
  return { ports, queued };
};

describe('batch.finished fan-out', () => {
  it('fires once when a batch finishes: not on the progress writes before it, nor on a later write', async () => {
    const { ports, queued } = portsWith([
      endpoint({ id: 'subscribed' }),
      endpoint({ id: 'jobs-only', events: ['job.succeeded'] }),
      endpoint({ id: 'disabled', enabled: false }),
      endpoint({ id: 'someone-else', owner: 'sub-b::boris' }),
    ]);
    const records = modifies([
      batch({ status: 'OPEN', addedRows: 1 }),
      batch(),
      batch({ queued: 1, rendering: 1, succeeded: 1, progress: 1 / 3 }),
      batch({ queued: 0, rendering: 0, succeeded: 2, failed: 1, progress: 1, costUsd: 0.03 }),
      batch({
        status: 'FINISHED',
        queued: 0,
        succeeded: 2,
        failed: 1,
        progress: 1,
        costUsd: 0.03,
        finishedAt: FINISHED_AT,
      }),
      // A later write (updatedAt moves) of the same ended batch.
      batch({
        status: 'FINISHED',
        queued: 0,
        succeeded: 2,
        failed: 1,
        progress: 1,
        costUsd: 0.03,
        finishedAt: FINISHED_AT,
        updatedAt: '2026-12-06T03:00:01.000Z',
      }),
    ]);

    expect(await createEndingStreamHandler(ports)({ Records: records })).toEqual({
      batchItemFailures: [],
    });

    expect(queued.map((message) => message.endpointId)).toEqual(['subscribed']);
    const event = webhookEventSchema.parse(JSON.parse(queued[0]!.payload));
    expect(event).toEqual({
      id: batchEventIdOf('b1', FINISHED_AT),
      type: 'batch.finished',
      createdAt: NOW.toISOString(),
      data: {
        id: 'b1',
        status: 'FINISHED',
        compositionId: 'title-card',
        title: 'Spring sale',
        rowCount: 3,
        counts: { queued: 0, rendering: 0, succeeded: 2, failed: 1, cancelled: 0 },
        costUsd: 0.03,
        createdAt: '2026-12-06T02:59:00.000Z',
        finishedAt: FINISHED_AT,
        metadata: { campaign: 'spring' },
      },
    });
    expect(queued[0]).toMatchObject({ eventId: event.id, eventType: 'batch.finished', attempt: 1 });
  });

  it('fires for a cancelled batch once its last row stopped, not when the cancel is asked for', () => {
    const running = batch({ queued: 1, rendering: 1, succeeded: 1 });
    const cancelAsked = batch({ status: 'CANCELLED', queued: 1, rendering: 1, succeeded: 1 });
    const rowsStopping = batch({ status: 'CANCELLED', rendering: 1, succeeded: 1, cancelled: 1 });
    const ended = batch({
      status: 'CANCELLED',
      queued: 0,
      succeeded: 1,
      cancelled: 2,
      progress: 1,
      finishedAt: FINISHED_AT,
    });
    expect(batchEndingEventOf(cancelAsked, running, NOW)).toBeUndefined();
    expect(batchEndingEventOf(rowsStopping, cancelAsked, NOW)).toBeUndefined();
    const end = batchEndingEventOf(ended, rowsStopping, NOW);
    expect(end?.owner).toBe(OWNER);
    expect(end?.event).toMatchObject({
      type: 'batch.finished',
      data: {
        status: 'CANCELLED',
        counts: { queued: 0, rendering: 0, succeeded: 1, failed: 0, cancelled: 2 },
      },
    });
  });

  it('gives the same ending the same id (a record read twice), and a batch that ends again after a retry a new one', () => {
    const before = batch({ queued: 0, failed: 1, succeeded: 2 });
    const ended = batch({
      status: 'FINISHED',
      queued: 0,
      succeeded: 2,
      failed: 1,
      finishedAt: FINISHED_AT,
    });
    const first = batchEndingEventOf(ended, before, NOW)!.event.id;
    expect(batchEndingEventOf(ended, before, new Date(NOW.getTime() + 60_000))!.event.id).toBe(
      first,
    );
    // A retry reopens it (RUNNING, finishedAt cleared); its next end is stamped again.
    const reopened = batch({ queued: 1, succeeded: 2 });
    const endedAgain = batch({
      status: 'FINISHED',
      queued: 0,
      succeeded: 3,
      finishedAt: '2026-12-06T03:10:00.000Z',
    });
    expect(batchEndingEventOf(reopened, ended, NOW)).toBeUndefined();
    expect(batchEndingEventOf(endedAgain, reopened, NOW)!.event.id).not.toBe(first);
  });

  it('does not echo metadata that is not a JSON object of at most 2 KB, and says why', () => {
    const ended = batch({
      status: 'FINISHED',
      queued: 0,
      succeeded: 3,
      finishedAt: FINISHED_AT,
      metadata: JSON.stringify({ notes: 'x'.repeat(3000) }),
    });
    const end = batchEndingEventOf(ended, batch(), NOW)!;
    expect(end.event.data).toMatchObject({ metadata: null });
    expect(end.metadataError).toMatch(/at most 2048 bytes/);
  });

  it('still fans out job endings on the same handler, and a batch row is not taken for a batch', async () => {
    const { ports, queued } = portsWith([
      endpoint({ events: ['job.succeeded', 'batch.finished'] }),
    ]);
    const job = (status: string) => ({
      id: 'b1-row-00000',
      owner: OWNER,
      status,
      compositionId: 'title-card',
      batchId: 'b1',
      rowIndex: 0,
    });
    await createEndingStreamHandler(ports)({
      Records: modifies([job('RENDERING'), job('SUCCEEDED')]),
    });
    expect(queued.map((message) => message.eventType)).toEqual(['job.succeeded']);
  });
});
