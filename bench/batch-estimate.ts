/**
 * The on-paper estimate of a 50,000-row batch run in the cloud (issue 12), from the cost model in cloud-cost.ts and
 * the deploy defaults. Pure arithmetic, written into BENCHMARKS.md by write-report.ts.
 */
import { MAX_QUEUED_ROWS_PER_USER, MAX_ROWS_PER_BATCH } from '../contract/batch-contract';
import { DEFAULT_COST_ASSUMPTIONS, estimateRenderCost, type CostAssumptions } from './cloud-cost';

/** The deploy defaults the estimate assumes (amplify/render-pipeline/config.ts, worker-context.ts). */
export const BATCH_ESTIMATE_DEFAULTS = {
  rows: 50_000,
  /** RENDER_CAP unset: 4. */
  renderCap: 4,
  /** MAX_ACTIVE_JOBS_PER_USER unset: 3. */
  perUserLimit: 3,
  /** Each row a 10-second 1080p video. */
  rowVideoSeconds: 10,
  /** A waiting row's delivery looks again after capWaitSeconds × (0.5–1.5): 10 s on average. */
  recheckSeconds: 10,
  /** Worker time of one recheck delivery (load the job, list the owner's slots, answer): ~0.1 s at 1,024 MB. */
  recheckWorkerSeconds: 0.1,
} as const;

/** The estimate's figures. */
export interface BatchEstimate {
  batches: number;
  renderWallSeconds: number;
  hoursAtCap: number;
  hoursOneUser: number;
  rendersUsd: number;
  perRowUsd: number;
  recheckDeliveriesPerSecondCeiling: number;
  lambdaConcurrencyAtCap: number;
}

/** 50,000 rows of 10-second videos at the default cap, with this run's cost assumptions. */
export function estimateFiftyThousandRows(
  assumptions: CostAssumptions = DEFAULT_COST_ASSUMPTIONS,
): BatchEstimate {
  const d = BATCH_ESTIMATE_DEFAULTS;
  const render = estimateRenderCost(d.rowVideoSeconds, assumptions);
  // Each render holds its slot for the render plus the worker's own start and end work.
  const slotSeconds = render.renderWallSeconds + assumptions.workerOwnSeconds;
  return {
    batches: Math.ceil(d.rows / MAX_ROWS_PER_BATCH),
    renderWallSeconds: slotSeconds,
    hoursAtCap: (d.rows * slotSeconds) / d.renderCap / 3600,
    hoursOneUser: (d.rows * slotSeconds) / Math.min(d.renderCap, d.perUserLimit) / 3600,
    perRowUsd: render.totalUsd,
    rendersUsd: d.rows * render.totalUsd,
    // The worker's event source runs at most renderCap deliveries at once; rendering rows hold some of them.
    recheckDeliveriesPerSecondCeiling: d.renderCap / d.recheckWorkerSeconds,
    // Remotion fans out one renderer per chunk, plus its main function and our worker, per render in flight.
    lambdaConcurrencyAtCap: d.renderCap * (render.renderLambdas + 2),
  };
}

const fixed = (value: number, digits = 1) => value.toFixed(digits);

/** The BENCHMARKS.md section. */
export function renderBatchEstimateSection(assumptions?: CostAssumptions): string[] {
  const d = BATCH_ESTIMATE_DEFAULTS;
  const e = estimateFiftyThousandRows(assumptions);
  return [
    '## On paper: 50,000 rows in the cloud',
    '',
    `${d.rows.toLocaleString('en-US')} rows of ${d.rowVideoSeconds}-second 1080p videos, deploy defaults (render cap ${d.renderCap},`,
    `per-user limit ${d.perUserLimit}). A batch holds at most ${MAX_ROWS_PER_BATCH.toLocaleString('en-US')} rows and a user at most`,
    `${MAX_QUEUED_ROWS_PER_USER.toLocaleString('en-US')} rows queued or rendering, so this is ${e.batches} batches, submitted in waves (or by several users).`,
    '',
    `- **Time.** One row holds a render slot ~${fixed(e.renderWallSeconds)} s (the cost model's render wall time plus the`,
    `  worker's own work). At the cap of ${d.renderCap}: ${d.rows.toLocaleString('en-US')} × ${fixed(e.renderWallSeconds)} s ÷ ${d.renderCap} ≈ **${fixed(e.hoursAtCap)} h**; one user alone`,
    `  runs at most ${d.perUserLimit} at once: ≈ **${fixed(e.hoursOneUser)} h**. Raising \`RENDER_CAP\` and \`MAX_ACTIVE_JOBS_PER_USER\` divides`,
    '  these, within the quotas below.',
    `- **Cost.** ${d.rows.toLocaleString('en-US')} × $${e.perRowUsd.toPrecision(3)} per render (the cost model above, 10 s) ≈ **$${fixed(e.rendersUsd, 0)}**. Batch`,
    '  overhead is small beside it: one conditional put per row, ~1 progress write per second per batch, the',
    "  progress recount reading the batch's rows once a second (10,000 rows of ~1 KB are 10 MB per recount,",
    '  ~1,250 eventually consistent read units/s, ~$1.1 per hour of running batch on demand) — and the',
    '  recheck churn: every waiting row is redelivered about every',
    `  ${d.recheckSeconds} s, bounded by the worker's event source to ~${fixed(e.recheckDeliveriesPerSecondCeiling, 0)} deliveries/s (each a Lambda`,
    '  invocation, three SQS calls and two AppSync reads, ~$10 per million); over the whole run that is',
    `  ≈ $${fixed((e.recheckDeliveriesPerSecondCeiling * e.hoursAtCap * 3600 * 10) / 1e6, 0)} at the ceiling.`,
    '- **AWS quotas touched.** Lambda concurrent executions (default 1,000; new accounts far less):',
    `  ~${e.lambdaConcurrencyAtCap} at the cap (renderers per render + Remotion's main function + the worker, per render in flight).`,
    '  Remotion Lambda burst and "Rate Exceeded" on starts (retried with backoff). SQS: a standard queue has no',
    '  practical throughput limit, 120,000 in-flight messages (at most the cap are in flight; waiting rows are',
    '  delayed messages, which do not count). DynamoDB on demand: 10,000 row puts per batch in a few seconds, far',
    "  below a table's 40,000 WCU/s default. AppSync: the 30 s resolver timeout bounds one `addBatchRows` (500 rows),",
    '  `cancelBatch` and `retryBatchRows` (20 s of row work, the rest followed up); request rate default 1,000 req/s.',
    "  EventBridge Pipes and the batch-progress stream reader are the Job stream's two readers (DynamoDB's limit per shard).",
    '- **Fairness at this scale (not solved).** The waiting rows stay in the render queue as delayed messages and',
    "  come back every ~10 s; once the visible backlog outgrows what the worker's event source drains, another",
    "  user's new message waits its turn among them, so its start is bounded by the backlog, not by the next free",
    '  slot. Dispatching batch rows from the batch (a few per free slot) instead of queueing them all is the fix;',
    '  see docs/architecture.md, "Batches".',
  ];
}
