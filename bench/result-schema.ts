import { z } from 'zod';
import type { OutputFormat } from '../contract/output-formats';

const latency = z.object({
  p50: z.number().nullable(),
  p95: z.number().nullable(),
  samples: z.number().int().nonnegative(),
});

const costLine = z.object({
  item: z.string(),
  quantity: z.number(),
  unit: z.string(),
  usd: z.number(),
});

const costEstimate = z.object({
  videoSeconds: z.number().positive(),
  frames: z.number().int(),
  framesPerLambda: z.number().int(),
  renderLambdas: z.number().int(),
  renderWallSeconds: z.number(),
  remotionLambdaSeconds: z.number(),
  remotionUsd: z.number(),
  overhead: z.array(costLine),
  overheadUsd: z.number(),
  totalUsd: z.number(),
  overheadShare: z.number().min(0).max(1),
});

// Older results carry the fields of the model they were made with; the fields of today's model are optional there.
const costAssumptions = z.object({
  region: z.literal('us-east-1'),
  fps: z.number(),
  secondsPerFrame: z.number().positive(),
  secondsPerFrameSource: z.string(),
  rendererStartupSeconds: z.number(),
  combineSecondsPerVideoMinute: z.number(),
  mainSetupSeconds: z.number(),
  remotionMemoryMb: z.number(),
  remotionDiskMb: z.number(),
  workerMemoryMb: z.number(),
  workerOwnSeconds: z.number(),
  // Models before 2026-12-07 21:45 priced each progress poll as an invocation of the Remotion function.
  pollInvocationMs: z.number().optional(),
  subscribers: z.number(),
  pollIntervalSeconds: z.number().optional(),
  webhookMemoryMb: z.number().optional(),
  webhookSeconds: z.number().optional(),
  wakeUpWorkerSeconds: z.number().optional(),
  jobIndexes: z.number().optional(),
  workerLogBytesPerJob: z.number().optional(),
});

/** Every figure the issue names (null when that part could not run; `unavailable` then says why). */
export const benchResultSchema = z.object({
  schemaVersion: z.literal(1),
  timestamp: z.iso.datetime(),
  mode: z.enum(['quick', 'full']),
  command: z.string(),
  durationSeconds: z.number().nonnegative(),
  /** Wall time of each section of the run (absent in runs made before the bench recorded it). */
  section_seconds: z.record(z.string(), z.number().nonnegative()).optional(),
  machine: z.object({
    platform: z.string(),
    arch: z.string(),
    cpuModel: z.string(),
    cpuCount: z.number().int().positive(),
    memoryGb: z.number().positive(),
    node: z.string(),
    loadAverageAtStart: z.array(z.number()),
  }),
  // 1. Full local pipeline with the real renderer against the Remotion CLI.
  render_overhead_ratio: z.number().positive().nullable(),
  render_pipeline_median_ms: z.number().positive().nullable(),
  render_cli_median_ms: z.number().positive().nullable(),
  render_pipeline_samples_ms: z.array(z.number()),
  render_cli_samples_ms: z.array(z.number()),
  // Pipeline wall time minus a warm in-process render of the same composition and props (medians), in seconds.
  render_overhead_seconds: z.number().nullable().default(null),
  render_warm_median_ms: z.number().positive().nullable().default(null),
  render_warm_samples_ms: z.array(z.number()).default([]),
  // Each pipeline run's own render (the render function's time inside the job, from the renderer's record), and the
  // median of each run's wall time minus it: what the pipeline adds around one render, ms.
  render_pipeline_renderer_samples_ms: z.array(z.number()).default([]),
  render_pipeline_added_ms: z.number().nullable().default(null),
  // 1b. One render per output format (issue 14): Job.create → SUCCEEDED seen, the reference render at 1×, seconds.
  render_seconds_mp4: z.number().positive().nullable().default(null),
  render_seconds_webm: z.number().positive().nullable().default(null),
  render_seconds_gif: z.number().positive().nullable().default(null),
  render_seconds_prores: z.number().positive().nullable().default(null),
  render_seconds_png_zip: z.number().positive().nullable().default(null),
  /** The cost model's one minute of video per cloud format (Remotion Lambda has no PNG sequence), USD. */
  cloud_cost_usd_1min_by_format: z
    .record(z.string(), z.number().nonnegative())
    .nullable()
    .default(null),
  // 2. Latencies with the stub renderer.
  latency_create_to_queued_ms: latency.nullable(),
  latency_queued_to_rendering_ms: latency.nullable(),
  latency_done_to_browser_ms: latency.nullable(),
  // 2b. Done → browser with Remotion's webhook waking the job (poll every 4 s, as the cloud with a webhook) and with
  // polling only (every 1 s, as the cloud without one), each in its own stub stack in the same run.
  latency_done_to_browser_webhook_ms: latency.nullable().default(null),
  latency_done_to_browser_poll_only_ms: latency.nullable().default(null),
  // 3. Throughput and correctness of stream → queue → worker.
  pipeline_jobs: z.number().int().nonnegative().nullable(),
  pipeline_jobs_per_second: z.number().nonnegative().nullable(),
  pipeline_lost: z.number().int().nonnegative().nullable(),
  pipeline_duplicate_renders: z.number().int().nonnegative().nullable(),
  pipeline_max_in_flight: z.number().int().nonnegative().nullable(),
  pipeline_render_cap: z.number().int().positive().nullable(),
  pipeline_final_statuses: z.record(z.string(), z.number().int()).nullable(),
  // 3b. Batches (issue 12): one user's batch of `batch_rows` rows, a second user's job halfway through.
  batch_rows: z.number().int().nonnegative().nullable().default(null),
  batch_enqueue_rows_per_second: z.number().nonnegative().nullable().default(null),
  batch_10k_seconds: z.number().nonnegative().nullable().default(null),
  batch_fair_start_ms: z.number().nonnegative().nullable().default(null),
  /** The reference for batch_fair_start_ms: the same user's single job on the same stack before the batch. */
  batch_fair_start_reference_ms: z.number().nonnegative().nullable().default(null),
  /** Renders in flight (every user's) when that job was created; below the cap, a slot was free for it at once. */
  batch_fair_start_in_flight: z.number().int().nonnegative().nullable().default(null),
  batch_lost: z.number().int().nonnegative().nullable().default(null),
  batch_duplicate_renders: z.number().int().nonnegative().nullable().default(null),
  batch_max_in_flight: z.number().int().nonnegative().nullable().default(null),
  batch_max_in_flight_one_user: z.number().int().nonnegative().nullable().default(null),
  batch_render_cap: z.number().int().positive().nullable().default(null),
  batch_per_user_limit: z.number().int().positive().nullable().default(null),
  batch_worker_deliveries: z.number().int().nonnegative().nullable().default(null),
  // 4. Studio bundle.
  studio_initial_js_gzip_kb: z.number().nonnegative().nullable(),
  // 6. Memory: the cloud worker's bundle under Node, and `npm start`'s process tree idle and while rendering.
  worker_peak_rss_mb: z.number().positive().nullable().default(null),
  worker_memory_mb: z.number().positive().nullable().default(null),
  npm_start_idle_mb: z.number().positive().nullable().default(null),
  npm_start_rendering_mb: z.number().positive().nullable().default(null),
  npm_start_largest_process: z
    .object({ command: z.string(), mb: z.number() })
    .nullable()
    .default(null),
  studio_initial_js_files: z.array(z.string()),
  // 5. Cloud cost per render.
  cloud_cost_usd: z
    .object({
      '10s': z.number().nonnegative(),
      '1min': z.number().nonnegative(),
      '10min': z.number().nonnegative(),
    })
    .nullable(),
  cloud_cost_details: z
    .object({ assumptions: costAssumptions, estimates: z.array(costEstimate) })
    .nullable(),
  /** Why a figure is null (or qualified), by key. */
  unavailable: z.record(z.string(), z.string()),
});

/** One run's results, as written to `bench/results/latest.json`. */
export type BenchResult = z.infer<typeof benchResultSchema>;

/** The result key of a format's render time: `render_seconds_png_zip` for `png-zip`. */
export const formatSecondsKey = (format: OutputFormat) =>
  `render_seconds_${format.replace('-', '_')}` as `render_seconds_${'mp4' | 'webm' | 'gif' | 'prores' | 'png_zip'}`;

/** Parses a stored result, naming the first problems if it does not match the schema. */
export function parseBenchResult(input: unknown, source: string): BenchResult {
  const result = benchResultSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new Error(`${source} is not a bench result of schema version 1: ${problems.join('; ')}`);
}
