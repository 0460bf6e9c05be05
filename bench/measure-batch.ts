/**
 * The batch benchmark (issue 12): one user submits a batch of `rows` rows to a local stack with the stub renderer, the
 * way the studio does (createBatch, then addBatchRows in planned chunks); halfway through, a second user submits one
 * job. Measures how fast the rows are all QUEUED, how long the batch takes to end, and how long the
 * second user's job waits for a render slot; checks nothing is lost or rendered twice and that renders in flight never
 * exceed the cap overall nor the per-user limit for one user.
 */
import { batchJobId, planRowChunks } from '../contract/batch-contract';
import type { BenchStack } from './measure-local-stack';
import { computeMaxOverlap } from './stats';
import { countRenderStarts, openJobTable } from '../tests/support/local-stack-session';

const PASSWORD = 'Bench-pass-123';

/** What one batch run measured. */
export interface BatchMeasurement {
  rows: number;
  /** Rows / seconds from the first request to every row's job QUEUED (waiting in the table; the first few woken). */
  enqueueRowsPerSecond: number;
  enqueueSeconds: number;
  /** From the first request to the batch FINISHED (its final update written). */
  batchSeconds: number | null;
  /** The second user's job: its createdAt → startedAt, in ms. */
  fairStartMs: number | null;
  /** The reference: the same user's job on the same stack just before the batch (nothing else running), in ms. */
  fairStartReferenceMs: number | null;
  /**
   * Renders in flight (every user's) when the second user's job was created: below the cap, a slot was free for it
   * at once, and its wait is the loaded stack's own time rather than a wait for a slot.
   */
  fairStartInFlight: number | null;
  lost: number;
  duplicateRenders: number;
  maxInFlight: number;
  maxInFlightOneUser: number;
  finalStatuses: Record<string, number>;
  /** Worker deliveries while the batch ran, from the stack log: the churn of rows waiting for a slot. */
  deliveries: number;
}

type Gql = (query: string, variables?: Record<string, unknown>) => Promise<Record<string, unknown>>;

const graphqlAs = async (bench: BenchStack, email: string): Promise<Gql> => {
  await bench.stack.dataPlane.cognito.createUser(email, PASSWORD);
  const { idToken } = await bench.stack.dataPlane.cognito.signIn(email, PASSWORD);
  return async (query, variables = {}) => {
    const response = await fetch(bench.stack.outputs.data.url, {
      method: 'POST',
      headers: { authorization: idToken, 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as {
      data?: Record<string, unknown>;
      errors?: { message: string }[];
    };
    if (body.errors?.length) throw new Error(body.errors.map((error) => error.message).join('; '));
    return body.data ?? {};
  };
};

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Runs one batch of `rows` rows through `bench` (its stack already started with the stub renderer). */
export async function measureBatch(
  bench: BenchStack,
  options: { rows: number; deadlineMs: number; deliveriesSeen: () => number },
  log: (line: string) => void,
): Promise<BatchMeasurement> {
  const { stack } = bench;
  const owner = await graphqlAs(bench, `batch-owner-${Date.now()}@example.com`);
  const other = await graphqlAs(bench, `batch-other-${Date.now()}@example.com`);
  const table = openJobTable(stack);
  try {
    const rows = Array.from({ length: options.rows }, (_, index) => ({
      title: `Row ${index + 1}`,
    }));
    // The reference: the second user's single job on the idle stack, created → rendering.
    const createSingle = async (title: string) => {
      const job = await other(
        `mutation($p: AWSJSON!) { createJob(input: { compositionId: "title-card", inputProps: $p }) { id } }`,
        { p: JSON.stringify({ title }) },
      );
      return (job.createJob as { id: string }).id;
    };
    const startDelayOf = async (jobId: string) => {
      const job = await table.get(jobId);
      const createdAt = (job as { createdAt?: string } | undefined)?.createdAt;
      return job?.startedAt && createdAt ? Date.parse(job.startedAt) - Date.parse(createdAt) : null;
    };
    const referenceId = await createSingle('Before the batch');
    const referenceDeadline = Date.now() + 60_000;
    while (Date.now() < referenceDeadline && !(await table.get(referenceId))?.finishedAt)
      await sleep(200);
    const fairStartReferenceMs = await startDelayOf(referenceId);
    log(
      `batch: the other user's job on the idle stack started ${fairStartReferenceMs} ms after create`,
    );
    const deliveriesBefore = options.deliveriesSeen();
    const started = Date.now();
    const created = await owner(
      `mutation($n: Int!, $t: String!) { createBatch(clientToken: $t, compositionId: "title-card", rowCount: $n, title: "Bench") { id } }`,
      { n: rows.length, t: `bench-${started}` },
    );
    const batchId = (created.createBatch as { id: string }).id;
    // The studio's plan: chunks of at most 500 rows; four requests at a time.
    const chunks = planRowChunks(rows);
    let next = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < chunks.length) {
          const chunk = chunks[next]!;
          next += 1;
          await owner(
            `mutation($b: ID!, $f: Int!, $rows: AWSJSON!) { addBatchRows(batchId: $b, firstRowIndex: $f, rows: $rows) { added } }`,
            { b: batchId, f: chunk.firstRowIndex, rows: JSON.stringify(chunk.rows) },
          );
        }
      }),
    );
    await stack.streamCaughtUp();
    const enqueueSeconds = (Date.now() - started) / 1000;
    log(`batch: ${rows.length} rows QUEUED in ${enqueueSeconds.toFixed(1)} s`);

    // Halfway (by rows ended), the second user's single job.
    let fairJobId: string | undefined;
    let batchSeconds: number | null = null;
    const deadline = started + options.deadlineMs;
    while (Date.now() < deadline) {
      const batch = (
        await owner(
          `query($id: ID!) { getBatch(id: $id) { status succeeded failed cancelled finishedAt } }`,
          { id: batchId },
        )
      ).getBatch as { succeeded: number; failed: number; cancelled: number; finishedAt?: string };
      const ended = batch.succeeded + batch.failed + batch.cancelled;
      if (!fairJobId && ended >= rows.length / 2) {
        fairJobId = await createSingle('Not after the batch');
        log(`batch: second user's job submitted with ${ended} of ${rows.length} rows ended`);
      }
      if (batch.finishedAt) {
        batchSeconds = (Date.parse(batch.finishedAt) - started) / 1000;
        break;
      }
      await sleep(1000);
    }
    log(`batch: ended after ${batchSeconds ?? 'more than the deadline'} s`);

    const jobs = await table.scan();
    const rowIds = new Set(rows.map((_, index) => batchJobId(batchId, index)));
    const batchJobs = jobs.filter((job) => rowIds.has(job.id));
    const finalStatuses: Record<string, number> = {};
    for (const job of batchJobs)
      finalStatuses[job.status ?? 'QUEUED'] = (finalStatuses[job.status ?? 'QUEUED'] ?? 0) + 1;
    const starts = countRenderStarts(bench.dataDir);
    const duplicateRenders = [...rowIds].reduce(
      (sum, id) => sum + Math.max(0, (starts.get(id) ?? 0) - 1),
      0,
    );
    const intervalsOf = (selected: typeof jobs) =>
      selected
        .filter((job) => job.startedAt && job.finishedAt)
        .map((job) => ({ start: Date.parse(job.startedAt!), end: Date.parse(job.finishedAt!) }));
    const fairCreatedAt = (jobs.find((job) => job.id === fairJobId) as { createdAt?: string })
      ?.createdAt;
    const fairStartInFlight = fairCreatedAt
      ? intervalsOf(jobs).filter(
          ({ start, end }) => start <= Date.parse(fairCreatedAt) && Date.parse(fairCreatedAt) < end,
        ).length
      : null;

    return {
      rows: rows.length,
      enqueueSeconds,
      enqueueRowsPerSecond: rows.length / enqueueSeconds,
      batchSeconds,
      fairStartMs: fairJobId ? await startDelayOf(fairJobId) : null,
      fairStartReferenceMs,
      fairStartInFlight,
      lost: rows.length - (finalStatuses.SUCCEEDED ?? 0),
      duplicateRenders,
      maxInFlight: computeMaxOverlap(intervalsOf(jobs)),
      maxInFlightOneUser: computeMaxOverlap(intervalsOf(batchJobs)),
      finalStatuses,
      deliveries: options.deliveriesSeen() - deliveriesBefore,
    };
  } finally {
    table.close();
  }
}
