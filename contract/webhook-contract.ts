/**
 * The webhook contract: what the studio, the webhook functions and local mode agree on about endpoints,
 * events, deliveries and job metadata (docs/architecture.md, "Webhooks to integrators"). zod only, no
 * Node built-ins, so the browser imports it too.
 */
import { z } from 'zod';

/** Events an endpoint can subscribe to. */
export const WEBHOOK_EVENT_TYPES = [
  'job.succeeded',
  'job.failed',
  'job.cancelled',
  'batch.finished',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** The event "Send test event" delivers; every endpoint receives it whatever it subscribed to. */
export const WEBHOOK_TEST_EVENT_TYPE = 'webhook.test';

/** The event a job ending in each terminal state sends. */
export const JOB_EVENT_TYPE_OF_STATUS = {
  SUCCEEDED: 'job.succeeded',
  FAILED: 'job.failed',
  CANCELLED: 'job.cancelled',
} as const satisfies Record<string, WebhookEventType>;

/** The one header carrying the timestamp and the signatures: `t=<unix seconds>,v1=<hex>[,v1=<hex>]`. */
export const WEBHOOK_SIGNATURE_HEADER = 'Render-Studio-Signature';
/** Receivers reject deliveries whose timestamp is older than this. */
export const WEBHOOK_TOLERANCE_SECONDS = 5 * 60;

/** Delivery policy (docs/architecture.md, "Webhooks to integrators"). */
export const WEBHOOK_DELIVERY_POLICY = {
  /** A receiver that has not answered within this is timed out and retried. */
  timeoutMs: 10_000,
  /** First retry waits up to this (full jitter); each later one doubles it, up to `maxBackoffMs`. */
  backoffBaseMs: 30_000,
  maxBackoffMs: 60 * 60 * 1000,
  /** After this long since the first attempt, a failing delivery is given up. */
  retryWindowMs: 24 * 60 * 60 * 1000,
  /** After a rotation, the old secret still signs deliveries for this long. */
  rotationGraceMs: 24 * 60 * 60 * 1000,
} as const;
export type WebhookDeliveryPolicy = {
  -readonly [K in keyof typeof WEBHOOK_DELIVERY_POLICY]: number;
};

/** Largest accepted job or batch `metadata`, serialized, in UTF-8 bytes. */
export const MAX_JOB_METADATA_BYTES = 2 * 1024;
/** Most endpoints one user may register. */
export const MAX_WEBHOOK_ENDPOINTS_PER_USER = 10;

const eventTypeSchema = z.enum(WEBHOOK_EVENT_TYPES, {
  error: (issue) =>
    `events must each be one of ${WEBHOOK_EVENT_TYPES.join(', ')}, but got ${JSON.stringify(issue.input)}`,
});

/** What a user sends to register an endpoint. Where the URL may point is checked by the server's URL policy. */
export const webhookEndpointInputSchema = z.object({
  url: z
    .string({ error: 'url must be a string' })
    .max(2048, { error: 'url must be at most 2048 characters' })
    .refine((value) => URL.canParse(value), {
      error: (issue) =>
        `url must be an absolute URL like https://example.com/hooks, but got ${JSON.stringify(issue.input)}`,
    }),
  events: z
    .array(eventTypeSchema, { error: 'events must be a list of event types' })
    .min(1, { error: 'events must name at least one event type, but got none' })
    .refine((events) => new Set(events).size === events.length, {
      error: 'events must not repeat an event type',
    }),
  enabled: z.boolean().default(true),
});
export type WebhookEndpointInput = z.infer<typeof webhookEndpointInputSchema>;

/** What a user may change on an endpoint afterwards: its events and whether it is enabled (its URL is fixed). */
export const webhookEndpointUpdateSchema = z
  .object({
    events: webhookEndpointInputSchema.shape.events.optional(),
    enabled: z.boolean({ error: 'enabled must be true or false' }).optional(),
  })
  .refine((update) => update.events !== undefined || update.enabled !== undefined, {
    error: 'an update must change events or enabled, but got neither',
  });

/** An id every event carries, unique per event (the same across retries and redeliveries of it). */
export const webhookEventIdSchema = z
  .string()
  .regex(/^evt_[0-9a-f-]{16,64}$/, { error: 'an event id looks like evt_<hex>' });

/** Job fields every job event carries; `metadata` is the job's own metadata, echoed. */
export const webhookJobDataSchema = z.object({
  id: z.string(),
  status: z.enum(['SUCCEEDED', 'FAILED', 'CANCELLED']),
  compositionId: z.string(),
  title: z.string().nullable(),
  errorMessage: z.string().nullable(),
  outputSizeBytes: z.number().nullable(),
  costUsd: z.number().nullable(),
  createdAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()).nullable(),
});
export type WebhookJobData = z.infer<typeof webhookJobDataSchema>;

/**
 * Batch fields `batch.finished` carries: the batch's end (FINISHED, or CANCELLED once every row stopped), its rows by
 * status, and its own metadata, echoed.
 */
export const webhookBatchDataSchema = z.object({
  id: z.string(),
  status: z.enum(['FINISHED', 'CANCELLED']),
  compositionId: z.string(),
  title: z.string().nullable(),
  rowCount: z.number().int(),
  counts: z.object({
    queued: z.number().int(),
    rendering: z.number().int(),
    succeeded: z.number().int(),
    failed: z.number().int(),
    cancelled: z.number().int(),
  }),
  costUsd: z.number().nullable(),
  createdAt: z.string().nullable(),
  finishedAt: z.string(),
  metadata: z.record(z.string(), z.unknown()).nullable(),
});
export type WebhookBatchData = z.infer<typeof webhookBatchDataSchema>;

/** The body of every delivery. */
export const webhookEventSchema = z.discriminatedUnion('type', [
  z.object({
    id: webhookEventIdSchema,
    type: z.enum(['job.succeeded', 'job.failed', 'job.cancelled']),
    createdAt: z.iso.datetime(),
    data: webhookJobDataSchema,
  }),
  z.object({
    id: webhookEventIdSchema,
    type: z.literal('batch.finished'),
    createdAt: z.iso.datetime(),
    data: webhookBatchDataSchema,
  }),
  z.object({
    id: webhookEventIdSchema,
    type: z.literal(WEBHOOK_TEST_EVENT_TYPE),
    createdAt: z.iso.datetime(),
    data: z.object({ endpointId: z.string(), message: z.string() }),
  }),
]);
export type WebhookEvent = z.infer<typeof webhookEventSchema>;

/** How one attempt ended. */
export const WEBHOOK_DELIVERY_OUTCOMES = ['DELIVERED', 'RETRYING', 'FAILED', 'GAVE_UP'] as const;
export type WebhookDeliveryOutcome = (typeof WEBHOOK_DELIVERY_OUTCOMES)[number];

/** One attempt in an endpoint's delivery log. */
export const webhookDeliveryRecordSchema = z.object({
  endpointId: z.string(),
  eventId: webhookEventIdSchema,
  eventType: z.string(),
  attempt: z.number().int().min(1),
  outcome: z.enum(WEBHOOK_DELIVERY_OUTCOMES),
  statusCode: z.number().int().nullable(),
  durationMs: z.number().int().min(0),
  error: z.string().nullable(),
  nextRetryAt: z.iso.datetime().nullable(),
  payload: z.string(),
});
export type WebhookDeliveryRecord = z.infer<typeof webhookDeliveryRecordSchema>;

/** `metadata` of a job, checked: a JSON object of at most {@link MAX_JOB_METADATA_BYTES} bytes. */
export type ParsedMetadata =
  { ok: true; metadata: Record<string, unknown> | null } | { ok: false; message: string };

/** Parses job metadata as the studio sends it (a JSON string) or as AppSync stores it; empty means none. */
export function parseJobMetadata(value: unknown): ParsedMetadata {
  if (value === undefined || value === null || value === '') return { ok: true, metadata: null };
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const bytes = new TextEncoder().encode(text).length;
  if (bytes > MAX_JOB_METADATA_BYTES)
    return {
      ok: false,
      message: `metadata must be at most ${MAX_JOB_METADATA_BYTES} bytes of JSON, but got ${bytes} bytes`,
    };
  let parsed: unknown;
  try {
    parsed = typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
  } catch (error) {
    return {
      ok: false,
      message: `metadata must be valid JSON, but got a parse error: ${(error as Error).message}`,
    };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return {
      ok: false,
      message: `metadata must be a JSON object like {"orderId": "42"}, but got ${Array.isArray(parsed) ? 'an array' : typeof parsed === 'object' ? 'null' : typeof parsed}`,
    };
  return { ok: true, metadata: parsed as Record<string, unknown> };
}

/** "must be …, but got …" for the first problem zod found. */
export const describeIssues = (error: z.ZodError): string =>
  error.issues
    .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ` : '') + issue.message)
    .join('; ');
