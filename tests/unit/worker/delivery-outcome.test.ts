import { describe, expect, it } from 'vitest';
import { throttlingError } from '../../support/worker-fakes';
import { messageOf, setUp } from '../../support/render-worker-setup';

describe('delivery outcome: steps, failures and the queue (delivery-outcome.ts)', () => {
  it('applies outcomes through the queue: retry keeps the message, continue re-enqueues and deletes', async () => {
    let throttle = true;
    const { db, recording, worker, clock } = setUp({
      rendererFault: (operation) =>
        operation === 'start' && throttle ? throttlingError() : undefined,
      config: { renderCap: 1 },
    });
    db.insert({ id: 'job-1' });
    const message = messageOf(clock, 'job-1');

    expect(await worker.handleMessage(message)).toBe('keep');
    expect(recording.retries).toEqual([{ receiptHandle: 'rh-1', delaySeconds: 1, from: 'render' }]);

    throttle = false;
    db.insert({ id: 'other', status: 'RENDERING', renderId: 'x' });
    expect(await worker.handleMessage(message)).toBe('delete');
    expect(recording.continuations).toEqual([{ jobId: 'job-1', delaySeconds: expect.any(Number) }]);
  });

  it('hands a dead letter back on the DLQ after its backoff when recording the failure hits a temporary error', async () => {
    let down = true;
    const { db, recording, worker, clock } = setUp({
      storeFault: (operation) => (operation === 'update' && down ? throttlingError() : undefined),
    });
    db.insert({ id: 'job-1' });
    const deadLetter = messageOf(clock, 'job-1', { receiptHandle: 'dlq-rh', deadLetter: true });

    expect(await worker.handleMessage(deadLetter)).toBe('keep');
    expect(recording.retries).toEqual([
      { receiptHandle: 'dlq-rh', delaySeconds: expect.any(Number), from: 'dead-letter' },
    ]);
    expect(recording.retries[0]!.delaySeconds).toBeLessThan(60);

    down = false;
    expect(await worker.handleMessage({ ...deadLetter, receiveCount: 2 })).toBe('delete');
    expect(db.jobs.get('job-1')!.status).toBe('FAILED');
  });
});
