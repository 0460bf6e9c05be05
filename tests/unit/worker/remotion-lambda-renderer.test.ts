import type { HttpRequest } from '@smithy/protocol-http';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createRemotionLambdaRenderer,
  outputKeyOf,
  type RemotionLambdaApi,
} from '../../../amplify/functions/render-worker/remotion-lambda-renderer';

/**
 * `@remotion/lambda/client` bundles its own AWS SDK, so `aws-sdk-client-mock` cannot reach its
 * LambdaClient. Instead the real Remotion code runs, and a request handler (the SDK's transport)
 * records every HTTP request it sends and answers like the Remotion function would.
 */
const recordingTransport = (answer: (payload: Record<string, unknown>) => unknown) => {
  const requests: { hostname: string; path: string; payload: Record<string, unknown> }[] = [];
  const handler = {
    async handle(request: HttpRequest) {
      const body =
        typeof request.body === 'string'
          ? request.body
          : new TextDecoder().decode(request.body as Uint8Array);
      const payload = JSON.parse(body) as Record<string, unknown>;
      requests.push({ hostname: request.hostname, path: request.path, payload });
      const response = new TextEncoder().encode(JSON.stringify(answer(payload)));
      return {
        response: { statusCode: 200, headers: { 'x-amz-executed-version': '1' }, body: response },
      };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs: () => ({}),
  };
  return { handler, requests };
};

const options = {
  functionName: 'remotion-render-4-0-527-mem2048mb-disk2048mb-120sec',
  serveUrl: 'https://sites.example.com/sites/studio/index.html',
  region: 'eu-central-1',
  outputBucket: 'render-studio-output',
  outputPrefix: 'renders/',
};

const progressAnswer = (overrides: Record<string, unknown>) => ({
  type: 'success',
  done: false,
  fatalErrorEncountered: false,
  errors: [],
  overallProgress: 0.42,
  framesRendered: 63,
  costs: { accruedSoFar: 0.0123, displayCost: '$0.0123', currency: 'USD', disclaimer: '' },
  renderMetadata: { type: 'video', frameRange: [0, 149] },
  renderId: 'abc123',
  outKey: null,
  outBucket: null,
  outputSizeInBytes: null,
  ...overrides,
});

describe('Remotion Lambda renderer', () => {
  beforeEach(() => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret');
    vi.stubEnv('AWS_SESSION_TOKEN', 'token');
  });
  afterEach(() => vi.unstubAllEnvs());

  it('starts a render by invoking the Remotion function with the exact render request', async () => {
    const transport = recordingTransport(() => ({
      type: 'success',
      renderId: 'abc123',
      bucketName: 'render-studio-output',
    }));
    const renderer = createRemotionLambdaRenderer({
      ...options,
      requestHandler: transport.handler as never,
    });

    const started = await renderer.start({
      jobId: 'job-1',
      owner: 'sub-123::alice',
      compositionId: 'hello',
      inputProps: { title: 'Hi' },
    });

    expect(started).toEqual({ renderId: 'abc123' });
    expect(transport.requests).toHaveLength(1);
    const [request] = transport.requests;
    expect(request!.hostname).toBe('lambda.eu-central-1.amazonaws.com');
    expect(decodeURIComponent(request!.path)).toBe(
      `/2015-03-31/functions/${options.functionName}/invocations`,
    );
    expect(request!.payload).toMatchObject({
      type: 'start',
      serveUrl: options.serveUrl,
      composition: 'hello',
      codec: 'h264',
      privacy: 'private',
      outName: { bucketName: 'render-studio-output', key: 'renders/sub-123/job-1.mp4' },
      downloadBehavior: { type: 'download', fileName: 'job-1.mp4' },
      deleteAfter: null,
      enableCancellation: true,
      bucketName: 'render-studio-output',
      inputProps: { type: 'payload', payload: JSON.stringify({ title: 'Hi' }) },
    });
  });

  it('reads progress through the status call and maps running, done and failed renders', async () => {
    let answer = progressAnswer({});
    const transport = recordingTransport(() => answer);
    const renderer = createRemotionLambdaRenderer({
      ...options,
      requestHandler: transport.handler as never,
    });

    expect(await renderer.getProgress('abc123')).toEqual({
      state: 'running',
      progress: 0.42,
      renderedFrames: 63,
      totalFrames: 150,
      costUsd: 0.0123,
    });
    expect(transport.requests[0]!.payload).toMatchObject({
      type: 'status',
      renderId: 'abc123',
      bucketName: 'render-studio-output',
    });

    answer = progressAnswer({
      done: true,
      overallProgress: 1,
      framesRendered: 150,
      outKey: 'renders/sub-123/job-1.mp4',
      outBucket: 'render-studio-output',
      outputSizeInBytes: 98765,
    });
    expect(await renderer.getProgress('abc123')).toEqual({
      state: 'done',
      output: {
        bucket: 'render-studio-output',
        key: 'renders/sub-123/job-1.mp4',
        sizeBytes: 98765,
      },
      renderedFrames: 150,
      totalFrames: 150,
      costUsd: 0.0123,
    });

    answer = progressAnswer({
      fatalErrorEncountered: true,
      errors: [
        { isFatal: true, message: 'Composition "hello" threw', name: 'Error', explanation: null },
      ],
    });
    expect(await renderer.getProgress('abc123')).toEqual({
      state: 'failed',
      message: 'Composition "hello" threw',
      retryable: false,
      costUsd: 0.0123,
    });
  });

  it('cancels through Remotion cancellation in the render state bucket', async () => {
    const cancelRenderOnLambda = vi.fn(async () => undefined);
    const api = { cancelRenderOnLambda } as unknown as RemotionLambdaApi;
    const renderer = createRemotionLambdaRenderer({
      ...options,
      remotionBucket: 'remotionlambda-state',
      api,
    });

    await renderer.cancel('abc123');

    expect(cancelRenderOnLambda).toHaveBeenCalledWith({
      region: 'eu-central-1',
      bucketName: 'remotionlambda-state',
      renderId: 'abc123',
    });
  });

  it('names output files under the owner sub and refuses unsafe names', () => {
    expect(outputKeyOf('renders/', 'sub-1::bob', 'job-9')).toBe('renders/sub-1/job-9.mp4');
    expect(() => outputKeyOf('renders/', '../x::bob', 'job-9')).toThrow(
      'The owner must be letters, digits, ".", "_" or "-" to name an output file, but got "../x"',
    );
  });
});
