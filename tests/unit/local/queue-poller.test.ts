import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { startFauxqs, type FauxqsServer } from 'fauxqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startQueuePoller, toSqsRecord } from '../../../local/pipeline/queue-poller';

let fauxqs: FauxqsServer;
let sqs: SQSClient;

beforeAll(async () => {
  fauxqs = await startFauxqs({ port: 0, host: '127.0.0.1', logger: false });
  sqs = new SQSClient({
    endpoint: fauxqs.address,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    useQueueUrlAsEndpoint: false,
  });
});
afterAll(async () => {
  sqs.destroy();
  await fauxqs.stop();
});

const sendAll = async (queueUrl: string, bodies: string[]) => {
  for (const body of bodies)
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
};

const waitFor = async (condition: () => boolean, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms`);
    await new Promise((done) => setTimeout(done, 20));
  }
};

describe('toSqsRecord', () => {
  it('builds the record a Lambda event source mapping delivers', () => {
    const record = toSqsRecord(
      {
        MessageId: 'm1',
        ReceiptHandle: 'r1',
        Body: '{"jobId":"j"}',
        Attributes: { ApproximateReceiveCount: '2' },
      },
      'arn:aws:sqs:us-east-1:0:q',
      'us-east-1',
    );
    expect(record).toMatchObject({
      messageId: 'm1',
      receiptHandle: 'r1',
      body: '{"jobId":"j"}',
      attributes: { ApproximateReceiveCount: '2' },
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:0:q',
    });
  });
});

describe('startQueuePoller', () => {
  it('never runs more batches at once than maxConcurrency, one message per batch', async () => {
    const { queueUrl, queueArn } = fauxqs.createQueue('cap-queue');
    let running = 0;
    let peak = 0;
    const seen: string[] = [];
    const batchSizes: number[] = [];
    const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
      running += 1;
      peak = Math.max(peak, running);
      batchSizes.push(event.Records.length);
      await new Promise((done) => setTimeout(done, 150));
      seen.push(...event.Records.map((record) => record.body));
      running -= 1;
      return { batchItemFailures: [] };
    };
    const poller = startQueuePoller({
      sqs,
      queueUrl,
      queueArn,
      region: 'us-east-1',
      handler,
      batchSize: 1,
      maxConcurrency: 2,
      timeoutMs: 60_000,
      waitTimeSeconds: 1,
    });
    await sendAll(queueUrl, ['1', '2', '3', '4', '5', '6']);
    await waitFor(() => seen.length === 6);
    // Deleted once each handler returned: nothing left in flight or waiting.
    await waitFor(() => {
      const messages = fauxqs.inspectQueue('cap-queue')?.messages;
      return messages?.inflight.length === 0 && messages.ready.length === 0;
    });
    poller.stop();
    expect(peak).toBe(2);
    expect(new Set(batchSizes)).toEqual(new Set([1]));
    expect(seen.sort()).toEqual(['1', '2', '3', '4', '5', '6']);
  });

  it('deletes handled messages and keeps the ones reported in batchItemFailures', async () => {
    const { queueUrl, queueArn } = fauxqs.createQueue('partial-queue', {
      attributes: { VisibilityTimeout: '1' },
    });
    const receipts = new Map<string, number>();
    const remaining = new Map<string, number>();
    const handler = async (event: SQSEvent, context: { getRemainingTimeInMillis(): number }) => {
      const body = event.Records[0]!.body;
      receipts.set(body, (receipts.get(body) ?? 0) + 1);
      remaining.set(body, context.getRemainingTimeInMillis());
      return body === 'bad'
        ? { batchItemFailures: [{ itemIdentifier: event.Records[0]!.messageId }] }
        : { batchItemFailures: [] };
    };
    const poller = startQueuePoller({
      sqs,
      queueUrl,
      queueArn,
      region: 'us-east-1',
      handler,
      batchSize: 1,
      maxConcurrency: 1,
      timeoutMs: 30_000,
      waitTimeSeconds: 1,
    });
    await sendAll(queueUrl, ['good', 'bad']);
    await waitFor(() => (receipts.get('bad') ?? 0) >= 2, 8000);
    poller.stop();
    expect(receipts.get('good')).toBe(1);
    expect(remaining.get('good')).toBeGreaterThan(29_000);
    expect(remaining.get('good')).toBeLessThanOrEqual(30_000);
    // The failed message is still on the queue once its visibility lapses; the good one is gone.
    const left: string[] = [];
    for (let attempt = 0; attempt < 20 && left.length === 0; attempt += 1) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          WaitTimeSeconds: 0,
          VisibilityTimeout: 30,
        }),
      );
      left.push(...Messages.map((message) => message.Body ?? ''));
      if (left.length === 0) await new Promise((done) => setTimeout(done, 250));
    }
    expect(left).toEqual(['bad']);
  });
});
