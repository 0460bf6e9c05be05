import {
  cancelRenderOnLambda,
  getRenderProgress,
  LambdaClientInternals,
  renderMediaOnLambda,
  renderStillOnLambda,
  type AwsRegion,
  type RenderProgress as RemotionRenderProgress,
  type RequestHandler,
} from '@remotion/lambda/client';
import {
  DEFAULT_OUTPUT_CHOICE,
  OUTPUT_FORMAT_DETAILS,
  outputKeyOf,
  posterKeyOf,
} from '../../../contract/output-formats';
import { findCompositionSpec } from '../../../remotion/catalog';
import { remotionWebhookCustomDataOf } from '../remotion-webhook/receive-remotion-webhook';
import { classifyFailure } from './failure-classes';
import type { RenderProgress, RenderRequest, Renderer } from './ports';

/** The three Remotion Lambda calls the renderer makes, injectable for tests. */
export interface RemotionLambdaApi {
  renderMediaOnLambda: typeof renderMediaOnLambda;
  getRenderProgress: typeof getRenderProgress;
  cancelRenderOnLambda: typeof cancelRenderOnLambda;
  /** The poster (optional, so older test doubles still fit): none is rendered without it. */
  renderStillOnLambda?: typeof renderStillOnLambda;
}

/** Where and how the Remotion render function renders. */
export interface RemotionLambdaRendererOptions {
  /** Must follow Remotion's naming convention (`remotion-render-<…>-mem<MB>mb-disk<MB>mb-<s>sec`): progress is read from S3 by it. */
  functionName: string;
  serveUrl: string;
  region: string;
  outputBucket: string;
  /** Key prefix of finished videos, ending in "/": videos land at `<prefix><owner-sub>/<jobId>.mp4`. */
  outputPrefix: string;
  /** Bucket of Remotion's own render state (progress, cancel signal); defaults to the output bucket. */
  remotionBucket?: string;
  /** At most this many renderer Lambdas per render (Remotion's `concurrency`); unset: Remotion chooses. */
  concurrencyPerRender?: number;
  /**
   * Remotion's webhook: where Remotion reports the render's end, and the secret it signs with (read once, lazily).
   * The job id rides along as `customData`, so the endpoint knows which job to wake.
   */
  webhook?: { url: string; secret: () => Promise<string> };
  /** Lets tests (and odd networks) see and answer every AWS request Remotion makes. */
  requestHandler?: RequestHandler;
  api?: RemotionLambdaApi;
}

// Where a job's video lands: one definition, shared with local mode and the job remover.
export { outputKeyOf } from '../../../contract/output-formats';

const totalFramesOf = (progress: RemotionRenderProgress): number => {
  const metadata = progress.renderMetadata;
  if (metadata?.type === 'video') return metadata.frameRange[1] - metadata.frameRange[0] + 1;
  return 0;
};

/** Translates Remotion's progress into the worker's union, so `output` exists only when done. */
export const toRenderProgress = (
  progress: RemotionRenderProgress,
  fallbackBucket: string,
): RenderProgress => {
  const costUsd = progress.costs.accruedSoFar;
  if (progress.fatalErrorEncountered) {
    const fatal =
      progress.errors.find((error) => error.isFatal && !error.willRetry) ??
      progress.errors.find((error) => error.isFatal) ??
      progress.errors[0];
    const message = fatal
      ? `${fatal.message}${fatal.explanation ? ` (${fatal.explanation})` : ''}`
      : 'Unknown render error.';
    // Remotion's explanation reads the stack (e.g. a chunk throttled by Lambda), so it is classified too.
    return {
      state: 'failed',
      message,
      retryable: classifyFailure(fatal ? { name: fatal.name, message } : message).retryable,
      costUsd,
    };
  }
  const totalFrames = totalFramesOf(progress);
  if (progress.done) {
    if (!progress.outKey)
      throw new Error(`Remotion reported render ${progress.renderId} done but named no output key`);
    return {
      state: 'done',
      output: {
        bucket: progress.outBucket ?? fallbackBucket,
        key: progress.outKey,
        sizeBytes: progress.outputSizeInBytes ?? 0,
        // Rendered with the video at start (renderStillOnLambda), beside it.
        posterKey: posterKeyOf(progress.outKey),
      },
      renderedFrames: totalFrames || progress.framesRendered,
      totalFrames: totalFrames || progress.framesRendered,
      costUsd,
    };
  }
  return {
    state: 'running',
    progress: Math.min(1, Math.max(0, progress.overallProgress)),
    renderedFrames: progress.framesRendered,
    totalFrames,
    costUsd,
  };
};

/** The cloud `Renderer`: Remotion Lambda through `@remotion/lambda/client`. */
export const createRemotionLambdaRenderer = (options: RemotionLambdaRendererOptions): Renderer => {
  if (!LambdaClientInternals.parseFunctionName(options.functionName)) {
    throw new Error(
      "The Remotion function name must follow Remotion's naming convention " +
        `"remotion-render-<version>-mem<MB>mb-disk<MB>mb-<seconds>sec", but got ${JSON.stringify(options.functionName)}. ` +
        'Progress is read from S3, which takes the memory and timeout from that name: deploy the function under such a name.',
    );
  }
  const api = options.api ?? {
    renderMediaOnLambda,
    getRenderProgress,
    cancelRenderOnLambda,
    renderStillOnLambda,
  };
  const region = options.region as AwsRegion;
  const bucketName = options.remotionBucket ?? options.outputBucket;
  const requestHandler = options.requestHandler;
  // The poster: the composition's poster frame with this job's props, beside the video, private like it.
  // Synchronous (a few seconds, one Lambda); a poster that fails leaves the job without one, never failed.
  const renderPoster = async (request: RenderRequest, videoKey: string, scale: number) => {
    if (!api.renderStillOnLambda) return;
    const spec = findCompositionSpec(request.compositionId);
    await api
      .renderStillOnLambda({
        region,
        functionName: options.functionName,
        serveUrl: options.serveUrl,
        composition: request.compositionId,
        inputProps: request.inputProps,
        imageFormat: 'jpeg',
        frame: spec?.posterFrame ?? 0,
        scale,
        privacy: 'no-acl',
        outName: { bucketName: options.outputBucket, key: posterKeyOf(videoKey) },
        forceBucketName: bucketName,
        maxRetries: 1,
        ...(requestHandler ? { requestHandler } : {}),
      })
      .catch((error: unknown) => {
        console.warn(`poster of job ${request.jobId} failed: ${String(error)}`);
      });
  };
  return {
    target: 'cloud',
    async start(request: RenderRequest) {
      const choice = request.output ?? DEFAULT_OUTPUT_CHOICE;
      const format = OUTPUT_FORMAT_DETAILS[choice.outputFormat];
      if (!format.codec) {
        throw new Error(
          `${format.label} cannot be rendered on Remotion Lambda; the worker refuses it before starting.`,
        );
      }
      const key = outputKeyOf(options.outputPrefix, request.owner, request.jobId, format.extension);
      const webhook = options.webhook && {
        url: options.webhook.url,
        secret: await options.webhook.secret(),
        customData: remotionWebhookCustomDataOf(request.jobId),
      };
      const { renderId } = await api.renderMediaOnLambda({
        region,
        functionName: options.functionName,
        serveUrl: options.serveUrl,
        composition: request.compositionId,
        inputProps: request.inputProps,
        codec: format.codec,
        imageFormat: format.imageFormat,
        scale: choice.scale,
        // The output bucket enforces bucket-owner ownership (ACLs disabled): a write with an ACL is refused.
        privacy: 'no-acl',
        outName: { bucketName: options.outputBucket, key },
        downloadBehavior: { type: 'download', fileName: `${request.jobId}.${format.extension}` },
        deleteAfter: null,
        enableCancellation: true,
        forceBucketName: bucketName,
        // The queue retries whole deliveries; one Remotion retry per chunk is enough.
        maxRetries: 1,
        ...(options.concurrencyPerRender === undefined
          ? {}
          : { concurrency: options.concurrencyPerRender }),
        ...(webhook ? { webhook } : {}),
        ...(requestHandler ? { requestHandler } : {}),
      });
      await renderPoster(request, key, choice.scale);
      return { renderId };
    },
    async getProgress(renderId) {
      const progress = await api.getRenderProgress({
        functionName: options.functionName,
        bucketName,
        renderId,
        region,
        // Read progress.json from S3 instead of invoking the 2 GB function once per poll; Remotion takes
        // the function's memory and timeout from its name.
        skipLambdaInvocation: true,
        ...(requestHandler ? { requestHandler } : {}),
      });
      return toRenderProgress(progress, options.outputBucket);
    },
    async cancel(renderId) {
      await api.cancelRenderOnLambda({
        region,
        bucketName,
        renderId,
        ...(requestHandler ? { requestHandler } : {}),
      });
    },
  };
};
