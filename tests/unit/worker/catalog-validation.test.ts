import { describe, expect, it } from 'vitest';
import { createRenderWorker } from '../../../amplify/functions/render-worker/job-lifecycle';
import { parseInputProps } from '../../../remotion/catalog';
import {
  createFakeClock,
  createInMemoryJobStore,
  createRecordingQueue,
  createScriptedRenderer,
} from '../../support/worker-fakes';

/** The worker with the real composition catalog, as the Lambda handler wires it. */
const setUp = () => {
  const clock = createFakeClock();
  const db = createInMemoryJobStore();
  const rendering = createScriptedRenderer(clock);
  const worker = createRenderWorker({
    store: db.store,
    renderer: rendering.renderer,
    clock,
    queue: createRecordingQueue().queue,
    parseInputProps,
    config: { renderCap: 1 },
  });
  const deliver = (jobId: string) =>
    worker.processDelivery({ jobId, receiveCount: 1, deadlineMs: clock.now() + 600_000 });
  return { db, rendering, deliver };
};

describe('worker validation with the composition catalog', () => {
  it('renders with the complete props (defaults laid under the given ones)', async () => {
    const { db, rendering, deliver } = setUp();
    db.insert({ id: 'job-1', compositionId: 'title-card', inputProps: { title: 'Launch day' } });

    expect(await deliver('job-1')).toEqual({ action: 'ack', reason: 'succeeded' });
    expect(rendering.renders.get('render-1')!.request.inputProps).toEqual({
      title: 'Launch day',
      subtitle: 'From React components to finished videos, in the cloud',
      backgroundColor: '#0f172a',
      textColor: '#f8fafc',
    });
  });

  it('fails a job whose props break the schema with the field named, and never renders it', async () => {
    const { db, rendering, deliver } = setUp();
    db.insert({
      id: 'bad',
      compositionId: 'title-card',
      inputProps: { title: '', surprise: true },
    });
    db.insert({ id: 'unknown', compositionId: 'no-such-thing', inputProps: {} });

    await deliver('bad');
    await deliver('unknown');

    expect(db.jobs.get('bad')!.status).toBe('FAILED');
    expect(db.jobs.get('bad')!.errorMessage).toMatch(
      /^The props for composition "title-card" are invalid: .*title/,
    );
    expect(db.jobs.get('unknown')!.errorMessage).toMatch(
      /Unknown composition "no-such-thing"; known compositions are title-card/,
    );
    expect(rendering.startsByJob.size).toBe(0);
  });
});
