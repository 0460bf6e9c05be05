import { invokeWebhook } from '@remotion/serverless';
import type { WebhookPayload } from '@remotion/serverless-client';
import { remotionWebhookCustomDataOf } from '../../amplify/functions/remotion-webhook/receive-remotion-webhook';

/** A local render that ended, as the local renderer reports it. */
export type LocalRenderEnded =
  | { state: 'done'; renderId: string; jobId: string; outputKey: string; startedAtMs: number }
  | { state: 'failed'; renderId: string; jobId: string; message: string };

/**
 * Calls the webhook the way Remotion Lambda does when a render ends: Remotion's own `invokeWebhook` (same JSON
 * payload, same `X-Remotion-Signature` HMAC, same retries), with the job id as `customData`.
 */
export const createRenderEndedNotifier =
  ({ url, secret, bucketName }: { url: string; secret: string; bucketName: string }) =>
  async (ended: LocalRenderEnded): Promise<void> => {
    const common = {
      renderId: ended.renderId,
      expectedBucketOwner: null,
      bucketName,
      customData: remotionWebhookCustomDataOf(ended.jobId),
    };
    const payload: WebhookPayload<null> =
      ended.state === 'done'
        ? {
            ...common,
            type: 'success',
            lambdaErrors: [],
            outputUrl: undefined,
            outputFile: ended.outputKey,
            timeToFinish: Date.now() - ended.startedAtMs,
            costs: {
              estimatedCost: 0,
              estimatedDisplayCost: '$0.00',
              currency: 'USD',
              disclaimer: 'Local render: no cost.',
            },
          }
        : {
            ...common,
            type: 'error',
            errors: [{ message: ended.message, name: 'Error', stack: '' }],
          };
    await invokeWebhook({ options: { payload, url, secret }, logLevel: 'error' });
  };
