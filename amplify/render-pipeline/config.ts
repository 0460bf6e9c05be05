import { z } from 'zod';
import { readEnv, type EnvReader } from '../read-env';
import {
  maxRenderableFrames,
  peakExecutionsOf,
  renderersPerRenderWithin,
  type RenderLimits,
} from '../../contract/render-limits';
import { DEFAULT_RETENTION_DAYS, MAX_RETENTION_DAYS } from '../../contract/output-retention';

/** Remotion's own defaults for the render function (`@remotion/lambda-client/constants`). */
export const REMOTION_FUNCTION_DEFAULTS = {
  memorySizeInMb: 2048,
  diskSizeInMb: 2048,
  timeoutInSeconds: 120,
} as const;

const wholeNumber = (name: string, min: number, max: number, why = '') =>
  z.coerce
    .number({ error: `${name} must be a whole number from ${min} to ${max}${why}` })
    .int({ error: `${name} must be a whole number from ${min} to ${max}${why}` })
    .min(min, { error: `${name} must be at least ${min}${why}` })
    .max(max, { error: `${name} must be at most ${max}${why}` });

const pipelineConfigSchema = z.object({
  renderCap: wholeNumber(
    'RENDER_CAP',
    2,
    1000,
    " (it is the SQS event source's MaximumConcurrency, which AWS limits to 2–1000)",
  ).optional(),
  // New accounts get 10 concurrent Lambda executions: renders must fit that until a raise is granted.
  lambdaConcurrencyBudget: wholeNumber('LAMBDA_CONCURRENCY_BUDGET', 8, 100_000).default(10),
  maxActiveJobsPerUser: wholeNumber('MAX_ACTIVE_JOBS_PER_USER', 1, 100).default(3),
  maxReceiveCount: wholeNumber('MAX_RECEIVE_COUNT', 1, 10).default(3),
  oldestMessageAlarmSeconds: wholeNumber('OLDEST_MESSAGE_ALARM_SECONDS', 60, 86_400).default(3600),
  outputPrefix: z
    .string()
    .regex(/^[a-z0-9-]+\/$/, {
      error:
        'OUTPUT_PREFIX must be lower-case letters, digits or "-", ending in "/", such as renders/',
    })
    .default('renders/'),
  remotionMemorySizeInMb: wholeNumber('REMOTION_MEMORY_MB', 512, 10_240).default(
    REMOTION_FUNCTION_DEFAULTS.memorySizeInMb,
  ),
  remotionDiskSizeInMb: wholeNumber('REMOTION_DISK_MB', 512, 10_240).default(
    REMOTION_FUNCTION_DEFAULTS.diskSizeInMb,
  ),
  // At least Remotion's default: below it, one renderer could not finish even the catalog's default videos.
  remotionTimeoutSeconds: wholeNumber('REMOTION_TIMEOUT_SECONDS', 120, 900).default(
    REMOTION_FUNCTION_DEFAULTS.timeoutInSeconds,
  ),
  videoUrlTtlSeconds: wholeNumber('VIDEO_URL_TTL_SECONDS', 3600, 604_800).default(7200),
  // Days finished outputs are kept: S3 lifecycle rules in the cloud, the sweep in local mode (docs/architecture.md, "Outputs").
  outputRetentionDays: wholeNumber('OUTPUT_RETENTION_DAYS', 1, MAX_RETENTION_DAYS).default(
    DEFAULT_RETENTION_DAYS,
  ),
  // The video-URL signer's key; a replaced key must outlive every URL it signed (checked where the secret is made).
  signerKeyRotationDays: wholeNumber('SIGNER_KEY_ROTATION_DAYS', 2, 1000).default(30),
  // Who hears about alarms (an SNS email subscription, confirmed from the first message); unset: the topic only.
  alarmEmail: z.email({ error: 'ALARM_EMAIL must be an email address' }).optional(),
  // Render spend in 24 hours that raises the cost alarm (Remotion's estimate, in US dollars).
  dailyCostAlarmUsd: z.coerce
    .number({ error: 'DAILY_COST_ALARM_USD must be a number of US dollars, such as 20' })
    .positive({ error: 'DAILY_COST_ALARM_USD must be more than 0 US dollars' })
    .max(1_000_000, { error: 'DAILY_COST_ALARM_USD must be at most 1000000 US dollars' })
    .default(20),
});

/** The render pipeline's settings, validated once, with what follows from them. */
export type PipelineConfig = Omit<z.infer<typeof pipelineConfigSchema>, 'renderCap'> & {
  /** Renders in flight at once (the queue's MaximumConcurrency). */
  renderCap: number;
  /** Renderer Lambdas per render (Remotion's `concurrency`), so the peak fits the budget. */
  renderersPerRender: number;
  /** Executions the busiest moment needs: at most `lambdaConcurrencyBudget`. */
  peakConcurrentExecutions: number;
};

const ENV_NAMES: Record<keyof z.infer<typeof pipelineConfigSchema>, string> = {
  renderCap: 'RENDER_CAP',
  lambdaConcurrencyBudget: 'LAMBDA_CONCURRENCY_BUDGET',
  maxActiveJobsPerUser: 'MAX_ACTIVE_JOBS_PER_USER',
  maxReceiveCount: 'MAX_RECEIVE_COUNT',
  oldestMessageAlarmSeconds: 'OLDEST_MESSAGE_ALARM_SECONDS',
  outputPrefix: 'OUTPUT_PREFIX',
  remotionMemorySizeInMb: 'REMOTION_MEMORY_MB',
  remotionDiskSizeInMb: 'REMOTION_DISK_MB',
  remotionTimeoutSeconds: 'REMOTION_TIMEOUT_SECONDS',
  videoUrlTtlSeconds: 'VIDEO_URL_TTL_SECONDS',
  outputRetentionDays: 'OUTPUT_RETENTION_DAYS',
  signerKeyRotationDays: 'SIGNER_KEY_ROTATION_DAYS',
  alarmEmail: 'ALARM_EMAIL',
  dailyCostAlarmUsd: 'DAILY_COST_ALARM_USD',
};

/** Renders in flight when RENDER_CAP is unset: up to 4, as long as each keeps two renderers. */
const DEFAULT_RENDER_CAP = 4;
const SQS_MIN_MAXIMUM_CONCURRENCY = 2;

/**
 * Fits the render fan-out into the concurrency budget: every render in flight holds the worker,
 * Remotion's main function and its renderers (docs/architecture.md, "Render limits").
 */
const withConcurrencyPlan = (
  parsed: z.infer<typeof pipelineConfigSchema>,
  reader: EnvReader,
): PipelineConfig => {
  const budget = parsed.lambdaConcurrencyBudget;
  let renderCap = parsed.renderCap;
  if (renderCap === undefined) {
    renderCap = SQS_MIN_MAXIMUM_CONCURRENCY;
    for (let cap = DEFAULT_RENDER_CAP; cap > SQS_MIN_MAXIMUM_CONCURRENCY; cap -= 1) {
      if (renderersPerRenderWithin(budget, cap) >= 2) {
        renderCap = cap;
        break;
      }
    }
  }
  const renderersPerRender = renderersPerRenderWithin(budget, renderCap);
  if (renderersPerRender < 1) {
    throw new Error(
      `${reader.what} is invalid:\n  RENDER_CAP ${renderCap} renders at once need at least ` +
        `${peakExecutionsOf(renderCap, 1)} concurrent Lambda executions, but LAMBDA_CONCURRENCY_BUDGET is ${budget}.\n` +
        "Lower RENDER_CAP, or raise LAMBDA_CONCURRENCY_BUDGET after the account's Lambda concurrency quota " +
        `(Service Quotas → AWS Lambda → Concurrent executions) has been raised. ${reader.fix}`,
    );
  }
  return {
    ...parsed,
    renderCap,
    renderersPerRender,
    peakConcurrentExecutions: peakExecutionsOf(renderCap, renderersPerRender),
  };
};

/** The limits a render must fit in this deployment. */
export const renderLimitsOf = (config: PipelineConfig): RenderLimits => ({
  remotionTimeoutSeconds: config.remotionTimeoutSeconds,
  renderersPerRender: config.renderersPerRender,
});

/** The longest 1280×720 video this deployment renders, in frames. */
export const maxHdFramesOf = (config: PipelineConfig): number =>
  maxRenderableFrames(renderLimitsOf(config), { width: 1280, height: 720 });

/** Where a deployed backend's settings are set: said with every configuration error. */
export const DEPLOY_ENV_READER: EnvReader = {
  what: 'The render pipeline configuration',
  fix:
    'Set these variables where the backend is deployed: the shell running `npm run sandbox`, or ' +
    'Amplify Hosting → Environment variables.',
};

/** Local mode reads the same settings from the shell running `npm start`. */
export const LOCAL_ENV_READER: EnvReader = {
  what: 'The render pipeline configuration',
  fix: 'Local mode reads these variables from the shell running `npm start`: unset them or fix their values.',
};

// The schema keyed by the variables' names, so `readEnv` reports each by the name a person sets.
const envSchema = z.object(
  Object.fromEntries(
    Object.entries(pipelineConfigSchema.shape).map(([key, field]) => [
      ENV_NAMES[key as keyof typeof ENV_NAMES],
      field,
    ]),
  ),
);

/**
 * Reads the pipeline settings from the environment, applying defaults; throws naming every bad
 * value ("NAME must be …, but got …") and where to fix it.
 */
export const readPipelineConfig = (
  env: Record<string, string | undefined> = process.env,
  reader: EnvReader = DEPLOY_ENV_READER,
): PipelineConfig => {
  const byName = readEnv(envSchema, env, reader) as Record<string, unknown>;
  const parsed = Object.fromEntries(
    Object.entries(ENV_NAMES).map(([key, name]) => [key, byName[name]]),
  ) as z.infer<typeof pipelineConfigSchema>;
  return withConcurrencyPlan(parsed, reader);
};
