/**
 * The on-paper estimate of a 50,000-row batch run in the cloud (issue 12), from the cost model in cloud-cost.ts and
 * the deploy defaults. Pure arithmetic, written into BENCHMARKS.md by write-report.ts.
 */
import { MAX_QUEUED_ROWS_PER_USER, MAX_ROWS_PER_BATCH } from '../contract/batch-contract';
import {
  AWS_PRICES_US_EAST_1,
  DEFAULT_COST_ASSUMPTIONS,
  estimateRenderCost,
  type CostAssumptions,
} from './cloud-cost';

/** The deploy defaults the estimate assumes (amplify/render-pipeline/config.ts, worker-context.ts). */
export const BATCH_ESTIMATE_DEFAULTS = {
  rows: 50_000,
  /** RENDER_CAP unset: 4. */
  renderCap: 4,
  /** MAX_ACTIVE_JOBS_PER_USER unset: 3. */
  perUserLimit: 3,
  /** Each row a 10-second 1080p video. */
  rowVideoSeconds: 10,
} as const;

/** The estimate's figures. */
export interface BatchEstimate {
  batches: number;
  renderWallSeconds: number;
  hoursAtCap: number;
  hoursOneUser: number;
  rendersUsd: number;
  perRowUsd: number;
  /** What waking costs per row: the hand-off's two reads. */
  wakeUsdPerRow: number;
  wakeUsd: number;
  lambdaConcurrencyAtCap: number;
}

/**
 * Waking per row, beyond what a single job costs (a row has no Pipe send, but its wake-up's send stands in for it):
 * the ended row's hand-off queries the rowOwner index (an AppSync operation) and lists the owner's slots (a consistent
 * key query of the slot table, one read unit). Rows are
 * woken one per freed slot (render-slots.ts); a second wake-up of one row (two ends that raced, each reading the same
 * waiting rows) is passed on to another row, not counted here: at the cloud's render times ends seldom race.
 */
export function wakeUsdPerRow(): number {
  return AWS_PRICES_US_EAST_1.appSyncUsdPerOperation + AWS_PRICES_US_EAST_1.dynamoDbUsdPerReadUnit;
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
    wakeUsdPerRow: wakeUsdPerRow(),
    wakeUsd: d.rows * wakeUsdPerRow(),
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
    '  overhead is small beside it: one transactional conditional put per row (2 write units), ~1 progress write per second per batch, the',
    "  progress recount reading the batch's rows (10,000 rows of ~1 KB are 10 MB, ~1,250 eventually consistent read",
    '  units per recount). Recounts come at most once a second, take at most a tenth of the time and are at most 15 s',
    '  apart: on demand, ~$1.1 per hour of running batch at one a second, ~$0.11 when a recount takes 1 s (one every',
    '  10 s), ~$0.08 at one every 15 s — and waking:',
    "  rows wait in the table, and each row's end queries its owner's waiting rows and slots and wakes one:",
    `  ~$${e.wakeUsdPerRow.toPrecision(2)} per row, ≈ $${fixed(e.wakeUsd, 2)} for the run.`,
    '- **AWS quotas touched.** Lambda concurrent executions (default 1,000; new accounts far less):',
    `  ~${e.lambdaConcurrencyAtCap} at the cap (renderers per render + Remotion's main function + the worker, per render in flight).`,
    '  Remotion Lambda burst and "Rate Exceeded" on starts (retried with backoff). SQS: a standard queue has no',
    '  practical throughput limit, 120,000 in-flight messages (at most the cap and a few wake-ups are in flight;',
    '  waiting rows have no message at all). DynamoDB on demand: 10,000 transactional row puts per batch (20,000',
    "  write units) in a few seconds, far below a table's 40,000 WCU/s default. AppSync: the 30 s resolver timeout bounds one `addBatchRows` (500 rows),",
    '  `cancelBatch` and `retryBatchRows` (20 s of row work, the rest followed up); request rate default 1,000 req/s.',
    "  EventBridge Pipes and the batch-progress stream reader are the Job stream's two readers (DynamoDB's limit per shard).",
    "- **Fairness at this scale.** Waiting rows are not in the render queue, so another user's new message is",
    "  received at once and starts at the next free slot of the cap; the batch's rows take at most the per-user",
    '  limit of it (docs/architecture.md, "Batches").',
  ];
}
