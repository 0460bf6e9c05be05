import { ChangeMessageVisibilityCommand, SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createRenderWorker } from '../../../amplify/functions/render-worker/job-lifecycle';
import {
  createLazyHandler,
  createSqsHandler,
  parseJobMessage,
} from '../../../amplify/functions/render-worker/sqs-handler';
import { createSqsJobQueue } from '../../../amplify/functions/render-worker/sqs-job-queue';
import {
  createFakeClock,
  createInMemoryJobStore,
  createScriptedRenderer,
  parseTestInputProps,
  throttlingError,
} from '../../support/worker-fakes';

const QUEUE_URL = 'https://sqs.eu-central-1.amazonaws.com/123456789012/render-queue';
const DLQ_ARN = 'arn:aws:sqs:eu-central-1:123456789012:render-dlq';
const WAKE_QUEUE_ARN = 'arn:aws:sqs:eu-central-1:123456789012:render-wake-queue';

const sqsRecord = (body: string, overrides: Partial<SQSRecord> = {}): SQSRecord => ({
  messageId: `m-${Math.random().toString(36).slice(2)}`,
  receiptHandle: `rh-${body.length}`,
  body,
  attributes: {
    ApproximateReceiveCount: '1',
    SentTimestamp: '0',
    SenderId: 'pipe',
    ApproximateFirstReceiveTimestamp: '0',
  },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:eu-central-1:123456789012:render-queue',
  awsRegion: 'eu-central-1',
  ...overrides,
});

const sqsMock = mockClient(SQSClient);

const setUp = (rendererFault?: (operation: string) => Error | undefined) => {
  const clock = createFakeClock();
  const db = createInMemoryJobStore();
  const rendering = createScriptedRenderer(clock, { fault: rendererFault });
  const queue = createSqsJobQueue({
    client: new SQSClient({ region: 'eu-central-1' }),
    queueUrl: QUEUE_URL,
  });
  const worker = createRenderWorker({
    store: db.store,
    renderer: rendering.renderer,
    clock,
    queue,
    parseInputProps: parseTestInputProps,
    config: { renderCap: 1, stopBeforeDeadlineMs: 1000 },
    random: () => 0.5,
  });
  const handler = createSqsHandler(worker, {
    clock,
    isDeadLetter: (record) => record.eventSourceARN === DLQ_ARN,
    isWakeUp: (record) => record.eventSourceARN === WAKE_QUEUE_ARN,
    queue,
  });
  const context = { getRemainingTimeInMillis: () => 600_000 };
  return { db, rendering, handler, context };
};

describe('render queue handler', () => {
  beforeEach(() => {
    sqsMock.reset();
  });

  it('renders each job and reports only the failed records of a batch', async () => {
    const { db, handler, context } = setUp();
    db.insert({ id: 'job-1' });
    const good = sqsRecord(JSON.stringify({ jobId: 'job-1' }));
    const malformed = sqsRecord('{"job": 1}');
    const notJson = sqsRecord('hello');
    const event: SQSEvent = { Records: [good, malformed, notJson] };

    const response = await handler(event, context);

    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: malformed.messageId },
      { itemIdentifier: notJson.messageId },
    ]);
    expect(db.jobs.get('job-1')!.status).toBe('SUCCEEDED');
  });

  it('hands a malformed message back at once, so it reaches the DLQ without waiting out the visibility', async () => {
    const { handler, context } = setUp();
    const malformed = sqsRecord('{"jobId": ""}', { receiptHandle: 'receipt-bad' });

    const response = await handler({ Records: [malformed] }, context);

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: malformed.messageId }]);
    expect(
      sqsMock.commandCalls(ChangeMessageVisibilityCommand).map((call) => call.args[0].input),
    ).toEqual([{ QueueUrl: QUEUE_URL, ReceiptHandle: 'receipt-bad', VisibilityTimeout: 0 }]);
  });

  it('drops a malformed wake-up instead of handing it back on the render queue, which does not hold it', async () => {
    const { handler, context } = setUp();
    const malformed = sqsRecord('{"jobId": 7}', {
      receiptHandle: 'receipt-of-the-wake-up-queue',
      eventSourceARN: WAKE_QUEUE_ARN,
    });
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});

    const response = await handler({ Records: [malformed] }, context);

    expect(response.batchItemFailures).toEqual([]);
    expect(sqsMock.commandCalls(ChangeMessageVisibilityCommand)).toEqual([]);
    expect(errors).toHaveBeenCalledWith(
      'Dropping malformed wake-up',
      malformed.messageId,
      expect.any(Error),
    );
    errors.mockRestore();
  });

  it('hands a throttled job back with ChangeMessageVisibility and reports it failed', async () => {
    const { db, handler, context } = setUp((operation) =>
      operation === 'start' ? throttlingError() : undefined,
    );
    db.insert({ id: 'job-1' });
    const record = sqsRecord(JSON.stringify({ jobId: 'job-1' }), {
      receiptHandle: 'receipt-7',
      attributes: { ...sqsRecord('').attributes, ApproximateReceiveCount: '2' },
    });

    const response = await handler({ Records: [record] }, context);

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
    const calls = sqsMock.commandCalls(ChangeMessageVisibilityCommand);
    expect(calls).toHaveLength(1);
    // receive 2 → ceiling 4 s, full jitter at 0.5 → 2 s
    expect(calls[0]!.args[0].input).toEqual({
      QueueUrl: QUEUE_URL,
      ReceiptHandle: 'receipt-7',
      VisibilityTimeout: 2,
    });
  });

  it('continues a long render in a fresh message when the time budget runs short', async () => {
    const { db, handler } = setUp();
    db.insert({ id: 'job-1' });
    const record = sqsRecord(JSON.stringify({ jobId: 'job-1' }));

    const response = await handler({ Records: [record] }, { getRemainingTimeInMillis: () => 3000 });

    expect(response.batchItemFailures).toEqual([]);
    expect(db.jobs.get('job-1')!.status).toBe('RENDERING');
    const sent = sqsMock.commandCalls(SendMessageCommand);
    expect(sent.map((call) => call.args[0].input)).toEqual([
      { QueueUrl: QUEUE_URL, MessageBody: '{"jobId":"job-1"}', DelaySeconds: 0 },
    ]);
  });

  it('marks a dead-lettered job FAILED and drops malformed dead letters', async () => {
    const { db, handler, context } = setUp();
    db.insert({ id: 'job-1' });
    const dead = sqsRecord(JSON.stringify({ jobId: 'job-1' }), { eventSourceARN: DLQ_ARN });
    const junk = sqsRecord('junk', { eventSourceARN: DLQ_ARN });

    const response = await handler({ Records: [dead, junk] }, context);

    expect(response.batchItemFailures).toEqual([]);
    expect(db.jobs.get('job-1')!.status).toBe('FAILED');
    expect(db.jobs.get('job-1')!.errorMessage).toMatch(/gave up after 3 attempts/);
  });

  it('says what a message body should be', () => {
    expect(parseJobMessage('{"jobId":"a"}')).toEqual({ jobId: 'a' });
    expect(() => parseJobMessage('{"jobId":""}')).toThrow(
      'Expected a message body {"jobId": non-empty string, "wakeFor"?: non-empty string, "rowWake"?: integer ≥ 0}, but got {"jobId":""}',
    );
    expect(parseJobMessage('{"jobId":"a","rowWake":2}')).toEqual({ jobId: 'a', rowWake: 2 });
    expect(() => parseJobMessage('{"jobId":"a","rowWake":-1}')).toThrow(
      'but got {"jobId":"a","rowWake":-1}',
    );
    expect(() => parseJobMessage('nope')).toThrow(
      'Expected a JSON message body {"jobId": string}, but got "nope"',
    );
  });
});

describe('SQS job queue', () => {
  beforeEach(() => sqsMock.reset());

  it('hands a dead letter back on the DLQ, and leaves it alone when the DLQ URL is unknown', async () => {
    const dlqUrl = 'https://sqs.eu-central-1.amazonaws.com/123456789012/render-dlq';
    const client = new SQSClient({ region: 'eu-central-1' });

    await createSqsJobQueue({ client, queueUrl: QUEUE_URL, deadLetterQueueUrl: dlqUrl }).retryLater(
      'rh-dlq',
      20,
      'dead-letter',
    );
    await createSqsJobQueue({ client, queueUrl: QUEUE_URL }).retryLater(
      'rh-dlq',
      20,
      'dead-letter',
    );

    expect(
      sqsMock.commandCalls(ChangeMessageVisibilityCommand).map((call) => call.args[0].input),
    ).toEqual([{ QueueUrl: dlqUrl, ReceiptHandle: 'rh-dlq', VisibilityTimeout: 20 }]);
  });

  it('clamps visibility and delay to what SQS accepts', async () => {
    const queue = createSqsJobQueue({
      client: new SQSClient({ region: 'eu-central-1' }),
      queueUrl: QUEUE_URL,
    });

    await queue.retryLater('rh', 99_999);
    await queue.continueLater('job-2', 5000);

    expect(
      sqsMock.commandCalls(ChangeMessageVisibilityCommand)[0]!.args[0].input.VisibilityTimeout,
    ).toBe(43_200);
    expect(sqsMock.commandCalls(SendMessageCommand)[0]!.args[0].input).toEqual({
      QueueUrl: QUEUE_URL,
      MessageBody: '{"jobId":"job-2"}',
      DelaySeconds: 900,
    });
  });

  it("sends a row's wake-up with its pass count, which the handler passes to the worker", async () => {
    const { db, handler, context } = setUp();
    const queue = createSqsJobQueue({
      client: new SQSClient({ region: 'eu-central-1' }),
      queueUrl: QUEUE_URL,
    });
    await queue.wakeRow('row-1', 2);
    const [sent] = sqsMock.commandCalls(SendMessageCommand).map((call) => call.args[0].input);
    expect(sent).toEqual({ QueueUrl: QUEUE_URL, MessageBody: '{"jobId":"row-1","rowWake":2}' });

    // A row another delivery renders: the wake-up is acknowledged and the render not tracked a second time. No other
    // row waits, so nothing is passed on.
    db.insert({
      id: 'row-1',
      owner: 'sub-a::alice',
      status: 'RENDERING',
      renderId: 'r-1',
      startedAt: '2026-01-01T00:00:00.000Z',
      batchId: 'b1',
      rowOwner: 'sub-a::alice',
    });
    const result = await handler({ Records: [sqsRecord(sent!.MessageBody!)] }, context);
    expect(result.batchItemFailures).toEqual([]);
    expect(db.jobs.get('row-1')!.status).toBe('RENDERING');
    expect(sqsMock.commandCalls(SendMessageCommand)).toHaveLength(1);

    // With a row waiting, the wake-up goes to it, counted as passed on once more.
    db.insert({
      id: 'row-2',
      owner: 'sub-a::alice',
      status: 'QUEUED',
      batchId: 'b1',
      rowOwner: 'sub-a::alice',
    });
    await handler({ Records: [sqsRecord(sent!.MessageBody!)] }, context);
    expect(sqsMock.commandCalls(SendMessageCommand)[1]!.args[0].input).toEqual({
      QueueUrl: QUEUE_URL,
      MessageBody: '{"jobId":"row-2","rowWake":3}',
    });
  });
});

describe('lazily built Lambda handler', () => {
  const event = { Records: [] };
  const context = { getRemainingTimeInMillis: () => 600_000 };
  const built = async () => ({ batchItemFailures: [] });

  it('tries initialisation again after a failed one: one cold-start failure does not poison a warm worker', async () => {
    const initErrors: unknown[] = [];
    const outcomes = [new Error('cold-start read timed out'), built];
    let inits = 0;
    const lazy = createLazyHandler(
      async () => {
        const next = outcomes[inits]!;
        inits += 1;
        if (next instanceof Error) throw next;
        return next;
      },
      (error) => initErrors.push(error),
    );

    await expect(lazy.handler(event, context)).rejects.toThrow('cold-start read timed out');
    expect(await lazy.handler(event, context)).toEqual({ batchItemFailures: [] });

    expect(inits).toBe(2);
    expect(initErrors).toEqual([outcomes[0]]);
  });

  it('builds once and keeps a handler that was built', async () => {
    let inits = 0;
    const lazy = createLazyHandler(async () => {
      inits += 1;
      return built;
    });

    lazy.prepare();
    await lazy.handler(event, context);
    await lazy.handler(event, context);

    expect(inits).toBe(1);
  });

  it('retries at the first invocation when the build started at cold start failed', async () => {
    let inits = 0;
    const lazy = createLazyHandler(
      async () => {
        inits += 1;
        if (inits === 1) throw new Error('cold-start read timed out');
        return built;
      },
      () => undefined,
    );

    lazy.prepare();
    // Let the cold-start attempt settle, as the init phase does before the first invocation.
    await new Promise((resolve) => setImmediate(resolve));

    expect(await lazy.handler(event, context)).toEqual({ batchItemFailures: [] });
    expect(inits).toBe(2);
  });
});
