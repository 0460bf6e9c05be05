import { z } from 'zod';

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
  ).default(4),
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
  remotionTimeoutSeconds: wholeNumber('REMOTION_TIMEOUT_SECONDS', 15, 900).default(
    REMOTION_FUNCTION_DEFAULTS.timeoutInSeconds,
  ),
  videoUrlTtlSeconds: wholeNumber('VIDEO_URL_TTL_SECONDS', 3600, 604_800).default(7200),
});

/** The render pipeline's settings, validated once. */
export type PipelineConfig = z.infer<typeof pipelineConfigSchema>;

const ENV_NAMES: Record<keyof PipelineConfig, string> = {
  renderCap: 'RENDER_CAP',
  maxActiveJobsPerUser: 'MAX_ACTIVE_JOBS_PER_USER',
  maxReceiveCount: 'MAX_RECEIVE_COUNT',
  oldestMessageAlarmSeconds: 'OLDEST_MESSAGE_ALARM_SECONDS',
  outputPrefix: 'OUTPUT_PREFIX',
  remotionMemorySizeInMb: 'REMOTION_MEMORY_MB',
  remotionDiskSizeInMb: 'REMOTION_DISK_MB',
  remotionTimeoutSeconds: 'REMOTION_TIMEOUT_SECONDS',
  videoUrlTtlSeconds: 'VIDEO_URL_TTL_SECONDS',
};

/**
 * Reads the pipeline settings from the deploy-time environment (Amplify Hosting's environment
 * variables, or the shell running `ampx sandbox`), applying defaults; throws naming every bad value.
 */
export const readPipelineConfig = (
  env: Record<string, string | undefined> = process.env,
): PipelineConfig => {
  const raw = Object.fromEntries(
    Object.entries(ENV_NAMES).map(([key, name]) => [key, env[name] === '' ? undefined : env[name]]),
  );
  const result = pipelineConfigSchema.safeParse(raw);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const key = issue.path[0] as keyof PipelineConfig | undefined;
    const got = key ? JSON.stringify(raw[key]) : '';
    return `${issue.message}${key ? `, but got ${got}` : ''}`;
  });
  throw new Error(
    `The render pipeline configuration is invalid:\n  ${lines.join('\n  ')}\n` +
      'Set these environment variables where the backend is deployed (Amplify Hosting → Environment variables).',
  );
};

/** The settings of this deployment, read once when the backend is defined. */
export const pipelineConfig: PipelineConfig = readPipelineConfig();
