import { validateWebhookSignature } from '@remotion/lambda/client';
import { z } from 'zod';

/** The header Remotion signs its webhook calls in (`sha512=<hex>` of the JSON body, HMAC with the secret). */
export const REMOTION_SIGNATURE_HEADER = 'x-remotion-signature';

/** `customData` the worker passes to `renderMediaOnLambda`, echoed by Remotion in its webhook call. */
export const remotionWebhookCustomDataOf = (jobId: string) => ({ jobId });

// Only what waking needs: which render ended, how, and which job it belongs to. The rest passes through.
const payloadSchema = z.looseObject({
  type: z.enum(['success', 'error', 'timeout'], {
    error: (issue) =>
      `type must be "success", "error" or "timeout", but got ${JSON.stringify(issue.input)}`,
  }),
  renderId: z
    .string({ error: 'renderId must be a string' })
    .min(1, { error: 'renderId must not be empty' }),
  customData: z
    .looseObject({ jobId: z.string().min(1).optional() })
    .nullable()
    .optional(),
});

/** A render that ended, as Remotion's webhook reports it. */
export interface RenderEnded {
  jobId: string;
  renderId: string;
  outcome: 'success' | 'error' | 'timeout';
}

/** What the endpoint does with a render that ended: wake the job's tracking (a `{ jobId, wakeFor }` on the wake-up queue). */
export type WakeJobTracking = (ended: RenderEnded) => Promise<void>;

/** The request as the endpoint sees it: header names lower-cased, the raw body. */
export interface WebhookRequest {
  method: string;
  headers: Record<string, string | undefined>;
  body: string | undefined;
}

/** The answer, as a function URL (or the local HTTP server) sends it. */
export interface WebhookResponse {
  statusCode: number;
  body: string;
}

const answer = (statusCode: number, message: string): WebhookResponse => ({
  statusCode,
  body: JSON.stringify({ message }),
});

/**
 * Receives Remotion's webhook (docs/architecture.md, "Completion from Remotion's webhook"): checks the signature with
 * Remotion's own `validateWebhookSignature`, then wakes the job's tracking so the job ends at once instead of at the
 * worker's next progress poll. Nothing is woken unless the signature is valid; the worker reads the render's progress
 * itself, so the payload is only a hint of which job to look at.
 */
export const receiveRemotionWebhook = async (
  request: WebhookRequest,
  { secret, wake }: { secret: string; wake: WakeJobTracking },
): Promise<WebhookResponse> => {
  if (request.method.toUpperCase() !== 'POST')
    return answer(405, `Remotion's webhook must be a POST, but got ${request.method}.`);
  const signature = request.headers[REMOTION_SIGNATURE_HEADER];
  if (!signature || signature === 'NO_SECRET_PROVIDED')
    return answer(401, `The ${REMOTION_SIGNATURE_HEADER} header is missing.`);
  let body: unknown;
  try {
    body = JSON.parse(request.body ?? '');
  } catch {
    return answer(400, 'The body must be the JSON payload Remotion sends, but it is not JSON.');
  }
  if (typeof body !== 'object' || body === null)
    return answer(400, `The body must be a JSON object, but got ${JSON.stringify(body)}.`);
  try {
    // Remotion's helper re-serializes the parsed body, exactly as Remotion serialized it when signing.
    validateWebhookSignature({ secret, body, signatureHeader: signature });
  } catch {
    return answer(401, 'The signature does not match this endpoint’s secret.');
  }
  const parsed = payloadSchema.safeParse(body);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => issue.message).join('; ');
    return answer(400, `The payload is not a Remotion webhook payload: ${problems}.`);
  }
  const { type, renderId, customData } = parsed.data;
  const jobId = customData?.jobId;
  // A render this studio did not start (or started before webhooks existed): nothing to wake; polling covers it.
  if (!jobId) return answer(202, `Render ${renderId} names no job; nothing to wake.`);
  await wake({ jobId, renderId, outcome: type });
  return answer(202, `Job ${jobId} woken (render ${renderId}, ${type}).`);
};
