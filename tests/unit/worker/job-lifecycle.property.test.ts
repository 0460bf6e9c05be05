import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { JobStatus } from '../../../contract/job-contract';
import {
  createRenderWorker,
  isTerminal,
} from '../../../amplify/functions/render-worker/job-lifecycle';
import type { JobQueue } from '../../../amplify/functions/render-worker/ports';
import {
  createInMemoryJobStore,
  createScriptedRenderer,
  createVirtualClock,
  parseTestInputProps,
  throttlingError,
  type FaultHook,
} from '../../support/worker-fakes';

/** A small deterministic PRNG, so a failing case replays exactly from its seed. */
const mulberry32 = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const jobArbitrary = fc.record({
  owner: fc.integer({ min: 0, max: 2 }),
  durationMs: fc.integer({ min: 500, max: 40_000 }),
  failAtProgress: fc.oneof(
    { arbitrary: fc.constant(null), weight: 5 },
    { arbitrary: fc.double({ min: 0.05, max: 0.95, noNaN: true }), weight: 1 },
  ),
  validProps: fc.integer({ min: 0, max: 9 }).map((n) => n < 8),
  cancelAtMs: fc.oneof(
    { arbitrary: fc.constant(null), weight: 3 },
    { arbitrary: fc.integer({ min: 0, max: 60_000 }), weight: 1 },
  ),
  duplicateAtMs: fc.array(fc.integer({ min: 0, max: 60_000 }), { maxLength: 2 }),
});

const scenarioArbitrary = fc.record({
  seed: fc.integer(),
  renderCap: fc.integer({ min: 1, max: 3 }),
  budgetMs: fc.integer({ min: 6_000, max: 30_000 }),
  jobs: fc.array(jobArbitrary, { minLength: 1, maxLength: 6 }),
  rendererThrottleRate: fc.constantFrom(0, 0.02, 0.1, 0.25),
  storeErrorRate: fc.constantFrom(0, 0.01, 0.05),
  /** Share of deliveries whose Lambda dies at a random moment (crash, hard timeout). */
  crashRate: fc.constantFrom(0, 0.05, 0.15),
});

type Scenario = typeof scenarioArbitrary extends fc.Arbitrary<infer T> ? T : never;

interface Message {
  id: number;
  jobId: string;
  visibleAt: number;
  receiveCount: number;
  inFlight: boolean;
  rowWake?: number;
}

const MAX_RECEIVE_COUNT = 3;
const VISIBILITY_TIMEOUT_MS = 45_000;
const NEVER = new Promise<never>(() => undefined);

/** Wraps a port so that, once its Lambda is dead, calls never start and results never arrive. */
const killable = <T extends object>(target: T, killed: () => boolean): T =>
  new Proxy(target, {
    get(object, property, receiver) {
      const value: unknown = Reflect.get(object, property, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        if (killed()) return NEVER;
        const result: unknown = await (value as (...a: unknown[]) => unknown).apply(object, args);
        if (killed()) return NEVER;
        return result;
      };
    },
  });
const MAX_VIRTUAL_MS = 6 * 3_600_000;

/** Runs one scenario: SQS-like queue + DLQ, `renderCap` concurrent Lambda slots, faults, cancels, duplicates. */
const simulate = async (scenario: Scenario) => {
  const random = mulberry32(scenario.seed);
  const clock = createVirtualClock();
  const start = clock.now();
  const latency = () => 10 + Math.floor(random() * 300);
  const storeFault: FaultHook = () =>
    random() < scenario.storeErrorRate
      ? Object.assign(new Error('Service Unavailable'), { $metadata: { httpStatusCode: 503 } })
      : undefined;
  const rendererFault: FaultHook = () =>
    random() < scenario.rendererThrottleRate ? throttlingError() : undefined;
  const db = createInMemoryJobStore({ clock, latencyMs: latency, fault: storeFault });
  const rendering = createScriptedRenderer(clock, {
    latencyMs: latency,
    fault: rendererFault,
    script: (request) => {
      const index = Number(request.jobId.split('-')[1]);
      const job = scenario.jobs[index]!;
      return { durationMs: job.durationMs, failAtProgress: job.failAtProgress ?? undefined };
    },
  });

  let nextMessageId = 0;
  const queue: Message[] = [];
  const deadLetters: Message[] = [];
  const enqueue = (jobId: string, delayMs = 0, rowWake?: number) =>
    queue.push({
      id: (nextMessageId += 1),
      jobId,
      visibleAt: clock.now() + delayMs,
      receiveCount: 0,
      inFlight: false,
      ...(rowWake === undefined ? {} : { rowWake }),
    });
  const sqs = (source: Message[]): JobQueue => ({
    async retryLater(receiptHandle, delaySeconds) {
      const message = source.find((m) => String(m.id) === receiptHandle);
      if (message) message.visibleAt = clock.now() + delaySeconds * 1000;
    },
    async continueLater(jobId, delaySeconds) {
      enqueue(jobId, delaySeconds * 1000);
    },
    async wakeRow(jobId, passes) {
      enqueue(jobId, 0, passes);
    },
  });
  const deadLetter = (source: Message[]) => source === deadLetters;
  const makeWorker = (source: Message[], killed: () => boolean) =>
    createRenderWorker({
      store: killable(db.store, killed),
      renderer: killable(rendering.renderer, killed),
      clock: {
        now: clock.now,
        sleep: async (ms) => {
          await clock.sleep(ms);
          if (killed()) await NEVER;
        },
      },
      queue: killable(sqs(source), killed),
      parseInputProps: parseTestInputProps,
      random,
      log: (message, details) => {
        if (message !== 'delivery handled') return;
        const kind = deadLetter(source)
          ? 'dead-letter'
          : `${String(details?.action)}: ${String(details?.reason)}`;
        const key = kind.replace(/job-\d+/g, 'job').slice(0, 60);
        paths.set(key, (paths.get(key) ?? 0) + 1);
      },
      config: {
        renderCap: scenario.renderCap,
        maxActiveJobsPerUser: 2,
        maxReceiveCount: MAX_RECEIVE_COUNT,
        stopBeforeDeadlineMs: 2000,
        claimLeaseMs: 60_000,
        capWaitSeconds: 3,
        claimWaitSeconds: 2,
        backoffBaseSeconds: 1,
        backoffMaxSeconds: 8,
      },
    });

  scenario.jobs.forEach((job, index) => {
    db.insert({
      id: `job-${index}`,
      owner: `sub-${job.owner}::user${job.owner}`,
      inputProps: job.validProps ? { title: `Video ${index}` } : { title: '' },
    });
    enqueue(`job-${index}`);
  });

  let stopped = false;
  const allTerminal = () =>
    [...db.jobs.values()].every((job) => isTerminal(job.status ?? 'QUEUED'));
  const tasks: Promise<void>[] = [];

  // SQS receive: a message past its visibility whose receive count is spent moves to the DLQ.
  const receive = (source: Message[], redrive: boolean): Message | undefined => {
    for (const message of source) {
      if (message.inFlight || message.visibleAt > clock.now()) continue;
      if (redrive && message.receiveCount >= MAX_RECEIVE_COUNT) {
        source.splice(source.indexOf(message), 1);
        deadLetters.push({ ...message, receiveCount: 0, inFlight: false, visibleAt: clock.now() });
        return receive(source, redrive);
      }
      message.receiveCount += 1;
      message.inFlight = true;
      return message;
    }
    return undefined;
  };
  const consume = async (source: Message[], redrive: boolean, deadLetter: boolean) => {
    while (!stopped) {
      const message = receive(source, redrive);
      if (!message) {
        await clock.sleep(500);
        continue;
      }
      const receivedAt = clock.now();
      const killAt =
        random() < scenario.crashRate
          ? receivedAt + Math.floor(random() * scenario.budgetMs)
          : Infinity;
      const worker = makeWorker(source, () => clock.now() >= killAt);
      const handled = worker.handleMessage({
        jobId: message.jobId,
        receiveCount: message.receiveCount,
        deadlineMs: receivedAt + scenario.budgetMs,
        receiptHandle: String(message.id),
        deadLetter,
        ...(message.rowWake === undefined ? {} : { rowWake: message.rowWake }),
      });
      const crash =
        killAt === Infinity
          ? NEVER
          : clock.sleep(killAt - receivedAt).then(() => 'killed' as const);
      const verdict = await Promise.race([handled, crash]);
      message.inFlight = false;
      if (verdict === 'killed') {
        // The Lambda died: its effects so far stand; the message returns after the visibility timeout.
        message.visibleAt = receivedAt + VISIBILITY_TIMEOUT_MS;
        crashes += 1;
      } else if (verdict === 'delete') source.splice(source.indexOf(message), 1);
    }
  };
  for (let slot = 0; slot < scenario.renderCap; slot += 1) tasks.push(consume(queue, true, false));
  tasks.push(consume(deadLetters, false, true));

  scenario.jobs.forEach((job, index) => {
    const at = async (ms: number, act: () => void) => {
      await clock.sleep(ms);
      act();
    };
    if (job.cancelAtMs !== null)
      tasks.push(at(job.cancelAtMs, () => db.requestCancel(`job-${index}`)));
    for (const ms of job.duplicateAtMs) tasks.push(at(ms, () => enqueue(`job-${index}`)));
  });

  const flush = () => new Promise<void>((resolve) => setImmediate(resolve));
  for (;;) {
    await flush();
    await flush();
    const busy = queue.some((m) => m.inFlight) || deadLetters.some((m) => m.inFlight);
    if (allTerminal() && !busy) break;
    if (clock.now() - start > MAX_VIRTUAL_MS || !clock.advanceToNextTimer()) break;
  }
  stopped = true;
  while (clock.advanceToNextTimer()) await flush();
  await Promise.all(tasks);
  return { db, rendering, elapsedMs: clock.now() - start };
};

let casesRun = 0;
let crashes = 0;
const outcomes = new Map<JobStatus, number>();
/** How often each delivery outcome happened over all cases, to show the paths really ran. */
const paths = new Map<string, number>();

describe('render worker under random interleavings', () => {
  afterAll(() => {
    console.log(`Lambda crashes simulated: ${crashes}`);
    console.log(
      `fast-check: ${casesRun} generated cases ran; job outcomes ${JSON.stringify(Object.fromEntries(outcomes))}`,
    );
    console.log(
      `delivery outcomes: ${JSON.stringify(Object.fromEntries([...paths].sort((a, b) => b[1] - a[1])), null, 1)}`,
    );
  });

  it('keeps its invariants across deliveries, redeliveries, timeouts, cancels, throttles and render failures', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArbitrary, async (scenario) => {
        casesRun += 1;
        const { db, rendering } = await simulate(scenario);

        for (const [jobId, job] of db.jobs) {
          const history = db.statusHistory.get(jobId)!;
          // Every job ends terminal.
          expect(
            isTerminal(job.status ?? 'QUEUED'),
            `${jobId} ended ${job.status ?? 'QUEUED'}`,
          ).toBe(true);
          // Terminal states never change: the first terminal write is the last status write.
          const firstTerminal = history.findIndex((status) => isTerminal(status));
          expect(firstTerminal, `${jobId} history ${history.join('→')}`).toBe(history.length - 1);
          // At most one render started per job.
          expect(rendering.startsByJob.get(jobId) ?? 0).toBeLessThanOrEqual(1);
          outcomes.set(job.status!, (outcomes.get(job.status!) ?? 0) + 1);
          if (job.status === 'SUCCEEDED')
            expect(job.outputKey).toBe(`renders/${job.owner.split('::')[0]}/${jobId}.mp4`);
          if (job.status === 'FAILED') expect(job.errorMessage).toBeTruthy();
        }
        // Invalid props never reach the renderer.
        scenario.jobs.forEach((job, index) => {
          if (!job.validProps) expect(rendering.startsByJob.has(`job-${index}`)).toBe(false);
        });
        // Renders in flight never exceed the cap.
        expect(rendering.maxInFlight()).toBeLessThanOrEqual(scenario.renderCap);
        // The per-user limit (2): a job renders only while holding one of its owner's slots.
        expect(db.renderingWithoutSlot).toEqual([]);
        for (const owner of new Set([...db.jobs.values()].map((job) => job.owner)))
          expect(db.maxRenderingOf(owner)).toBeLessThanOrEqual(2);
        // Every job ended, so every slot was released; only a crash or a store error between a job's end and
        // its release leaves one, held by an ended job, for the reconciler (reconcile-jobs.test.ts).
        for (const slot of db.slots.values())
          expect(isTerminal(db.jobs.get(slot.jobId)?.status ?? 'QUEUED')).toBe(true);
        if (scenario.crashRate === 0 && scenario.storeErrorRate === 0)
          expect(db.slots.size).toBe(0);
      }),
      { numRuns: 300 },
    );
    expect(casesRun).toBeGreaterThanOrEqual(300);
    // The scenarios really exercise every ending.
    for (const status of ['SUCCEEDED', 'FAILED', 'CANCELLED'] as const)
      expect(outcomes.get(status)).toBeGreaterThan(0);
    const seen = (pattern: RegExp) =>
      [...paths].filter(([key]) => pattern.test(key)).reduce((n, [, c]) => n + c, 0);
    expect(seen(/^continue: time budget/)).toBeGreaterThan(0);
    expect(seen(/^continue: render cap reached/)).toBeGreaterThan(0);
    expect(seen(/^retry: /)).toBeGreaterThan(0);
    expect(seen(/^dead-letter/)).toBeGreaterThan(0);
    expect(crashes).toBeGreaterThan(0);
    expect(seen(/^ack: already /)).toBeGreaterThan(0);
    expect(seen(/^continue: per-user limit reached/)).toBeGreaterThan(0);
  }, 240_000);
});
