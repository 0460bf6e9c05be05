import type { WebhookDeliveryOutcome } from '../../../contract/webhook-contract';
import { WEBHOOK_SIGNATURE_HEADER } from '../../../contract/webhook-contract';
import type { DeliveryMessage, WebhookDeliveryPorts, WebhookSecrets } from './webhook-ports';
import type { SendResult } from './send-webhook-request';
import { signatureHeader } from './webhook-signature';
import { resolveWebhookTarget, WebhookUrlRefusedError } from './webhook-url-policy';

/** SQS delays a message at most this long; longer backoffs are chained hop by hop. */
export const MAX_SQS_DELAY_SECONDS = 900;

/** What one attempt did, for logs and tests. */
export type AttemptResult =
  | { kind: 'dropped'; reason: string }
  | { kind: 'waiting'; delaySeconds: number }
  | {
      kind: 'attempted';
      outcome: WebhookDeliveryOutcome;
      statusCode: number | null;
      nextRetryAt: string | null;
    };

/** Retry on network errors, timeouts, 5xx and 429; any other answer is final. */
export function isRetryable(result: SendResult): boolean {
  if (result.kind !== 'answered') return true;
  return result.statusCode === 429 || result.statusCode >= 500;
}

/** Full jitter: a uniform wait between 0 and min(max, base × 2^(attempt − 1)). */
export function backoffMs(
  attempt: number,
  policy: { backoffBaseMs: number; maxBackoffMs: number },
  random: number,
): number {
  const ceiling = Math.min(
    policy.maxBackoffMs,
    policy.backoffBaseMs * 2 ** Math.max(0, attempt - 1),
  );
  return Math.floor(random * ceiling);
}

/** The secrets that sign now: the current one, and the previous one until its grace period ends. */
export function signingSecretsOf(secrets: WebhookSecrets, now: Date): string[] {
  const previousValid =
    secrets.previous &&
    secrets.previousExpiresAt &&
    Date.parse(secrets.previousExpiresAt) > now.getTime();
  return previousValid ? [secrets.current, secrets.previous!] : [secrets.current];
}

const describeResult = (result: SendResult): string | null =>
  result.kind === 'network-error'
    ? result.message
    : result.kind === 'timed-out'
      ? `timed out after ${result.durationMs} ms`
      : result.statusCode >= 200 && result.statusCode < 300
        ? null
        : `answered ${result.statusCode}`;

/**
 * Sends one attempt of one queued delivery and records it in the endpoint's log; on a retryable failure
 * enqueues the next attempt with exponential backoff and full jitter, until the retry window is over
 * (docs/architecture.md, "Webhooks to integrators"). Throws only when its own storage or queue fails, so the
 * queue redelivers the message.
 */
export async function deliverWebhook(
  message: DeliveryMessage,
  ports: WebhookDeliveryPorts,
): Promise<AttemptResult> {
  const now = ports.now();
  if (message.notBefore && Date.parse(message.notBefore) - now.getTime() > 1000) {
    const delaySeconds = Math.min(
      MAX_SQS_DELAY_SECONDS,
      Math.ceil((Date.parse(message.notBefore) - now.getTime()) / 1000),
    );
    await ports.queue.enqueue(message, delaySeconds);
    return { kind: 'waiting', delaySeconds };
  }
  const endpoint = await ports.store.getEndpoint(message.endpointId);
  if (!endpoint) return { kind: 'dropped', reason: 'the endpoint was removed' };
  if (!endpoint.enabled) return { kind: 'dropped', reason: 'the endpoint is disabled' };
  const secrets = await ports.store.getSecrets(endpoint.id);
  if (!secrets) return { kind: 'dropped', reason: 'the endpoint has no secret' };

  let result: SendResult;
  let refused: string | undefined;
  try {
    const target = await resolveWebhookTarget(endpoint.url, ports.mode, ports.resolveHost);
    const timestamp = Math.floor(now.getTime() / 1000);
    result = await ports.send({
      target,
      body: message.payload,
      timeoutMs: ports.policy.timeoutMs,
      headers: {
        [WEBHOOK_SIGNATURE_HEADER]: signatureHeader(
          signingSecretsOf(secrets, now),
          timestamp,
          message.payload,
        ),
        'user-agent': 'RenderStudio-Webhooks/1',
        'render-studio-event-id': message.eventId,
        'render-studio-event-type': message.eventType,
        'render-studio-delivery-attempt': String(message.attempt),
      },
    });
  } catch (error) {
    if (error instanceof WebhookUrlRefusedError) refused = error.message;
    // A name that does not resolve now may resolve later: a network error, retried.
    result = { kind: 'network-error', message: (error as Error).message, durationMs: 0 };
  }

  const finishedAt = ports.now();
  const statusCode = result.kind === 'answered' ? result.statusCode : null;
  let outcome: WebhookDeliveryOutcome;
  let nextRetryAt: string | null = null;
  if (
    refused === undefined &&
    result.kind === 'answered' &&
    result.statusCode >= 200 &&
    result.statusCode < 300
  )
    outcome = 'DELIVERED';
  else if (refused !== undefined || !isRetryable(result)) outcome = 'FAILED';
  else {
    const waitMs = backoffMs(message.attempt, ports.policy, ports.random());
    const retryAt = finishedAt.getTime() + waitMs;
    if (retryAt - Date.parse(message.firstAttemptAt) > ports.policy.retryWindowMs)
      outcome = 'GAVE_UP';
    else {
      outcome = 'RETRYING';
      nextRetryAt = new Date(retryAt).toISOString();
      const delaySeconds = Math.min(MAX_SQS_DELAY_SECONDS, Math.ceil(waitMs / 1000));
      await ports.queue.enqueue(
        { ...message, attempt: message.attempt + 1, notBefore: nextRetryAt },
        delaySeconds,
      );
    }
  }
  await ports.store.appendDelivery({
    id: ports.newId(),
    owner: endpoint.owner,
    createdAt: finishedAt.toISOString(),
    endpointId: endpoint.id,
    eventId: message.eventId,
    eventType: message.eventType,
    attempt: message.attempt,
    outcome,
    statusCode,
    durationMs: result.durationMs,
    error: refused ?? describeResult(result),
    nextRetryAt,
    payload: message.payload,
  });
  ports.log?.('webhook attempt', {
    endpointId: endpoint.id,
    eventId: message.eventId,
    attempt: message.attempt,
    outcome,
    statusCode,
  });
  return { kind: 'attempted', outcome, statusCode, nextRetryAt };
}
