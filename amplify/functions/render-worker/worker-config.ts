import { z } from 'zod';
import { FUNCTION_ENV_FIX, readEnv } from '../../read-env';

/** An environment variable holding a whole number in range, refused with what was expected. */
export const wholeNumber = (min: number, max = Number.POSITIVE_INFINITY) => {
  const expected =
    max === Number.POSITIVE_INFINITY
      ? `a whole number ≥ ${min}`
      : `a whole number from ${min} to ${max}`;
  return z
    .string({ error: expected })
    .regex(/^\d+$/, { error: expected })
    .transform(Number)
    .refine((n) => n >= min && n <= max, { error: expected });
};

const text = (what: string) => z.string({ error: what }).trim().min(1, { error: what });

const envSchema = z.object({
  RENDER_CAP: wholeNumber(1),
  REMOTION_FUNCTION_NAME: text('the Remotion render function name'),
  REMOTION_SERVE_URL: z.url({ error: 'the https URL of the deployed Remotion site' }),
  REMOTION_REGION: z
    .string({ error: 'an AWS region such as us-east-1' })
    .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { error: 'an AWS region such as us-east-1' }),
  OUTPUT_BUCKET_NAME: text('the name of the bucket that receives finished videos'),
  OUTPUT_PREFIX: z
    .string({ error: 'a key prefix such as renders/' })
    .regex(/^[^/].*\/$/, { error: 'a key prefix ending in "/" such as renders/' })
    .default('renders/'),
  MAX_ACTIVE_JOBS_PER_USER: wholeNumber(1).default(3),
  // Days a finished job's outputs are kept (the output bucket's lifecycle rule deletes them then).
  OUTPUT_RETENTION_DAYS: wholeNumber(1, 3650).default(30),
  RENDER_QUEUE_URL: z.url({ error: 'the URL of the render SQS queue' }),
  // The tables the worker reads and holds its render slots in directly (docs/architecture.md, "Data flow").
  JOB_TABLE_NAME: text('the name of the Job table'),
  RENDER_SLOT_TABLE_NAME: text('the name of the RenderSlot table'),
  // The DLQ's ARN: one handler serves both queues and tells their records apart by it.
  RENDER_DLQ_ARN: text('the ARN of the render dead-letter SQS queue'),
  // Optional: where Remotion keeps its render state (defaults to the output bucket).
  REMOTION_BUCKET_NAME: text('a bucket name').optional(),
  // Optional: the wake-up queue's ARN, so a malformed record from it is dropped, never handed back on the render queue.
  WAKE_QUEUE_ARN: text('the ARN of the wake-up SQS queue').optional(),
  // Optional: the DLQ's URL, so a dead letter hit by a temporary error is retried after its backoff.
  RENDER_DLQ_URL: z.url({ error: 'the URL of the render dead-letter SQS queue' }).optional(),
  // Optional: the queue's maxReceiveCount, quoted in the "gave up" message.
  MAX_RECEIVE_COUNT: wholeNumber(1).default(3),
  // Optional: at most this many renderer Lambdas per render (Remotion's `concurrency`, which allows 1–200),
  // so the renders in flight fit the account's Lambda concurrency. Unset: Remotion chooses.
  REMOTION_CONCURRENCY_PER_RENDER: wholeNumber(1, 200).optional(),
  // Optional: the render function's timeout, Remotion's deadline for a whole render (bounds a video's length).
  REMOTION_TIMEOUT_SECONDS: wholeNumber(15, 900).optional(),
  // Optional, together: Remotion's webhook reports each render's end there, signed with the secret in this
  // Secrets Manager secret, so a job ends at once and progress is polled less often.
  REMOTION_WEBHOOK_URL: z
    .url({ error: 'the https URL of the remotion-webhook function' })
    .optional(),
  REMOTION_WEBHOOK_SECRET_ARN: z
    .string({ error: 'the ARN of the Remotion webhook secret' })
    .startsWith('arn:', { error: 'the ARN of the Remotion webhook secret' })
    .optional(),
});

/** The worker's settings, read once from the environment. */
export type WorkerEnvConfig = z.infer<typeof envSchema>;

/** The variables the backend sets on the worker: every one the schema reads, as text. */
export type WorkerEnvironmentVariables = { [Name in keyof z.input<typeof envSchema>]-?: string };

/** Parses the worker's environment; throws naming each bad variable, what was expected and what came. */
export const parseWorkerEnv = (env: Record<string, string | undefined>): WorkerEnvConfig =>
  readEnv(envSchema, env, { what: "The render worker's environment", fix: FUNCTION_ENV_FIX });
