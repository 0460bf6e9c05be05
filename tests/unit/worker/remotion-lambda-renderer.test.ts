import { Readable } from 'node:stream';
import type { HttpRequest } from '@smithy/protocol-http';
import { LambdaClientInternals } from '@remotion/lambda/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { classifyFailure } from '../../../amplify/functions/render-worker/failure-classes';
import {
  createRemotionLambdaRenderer,
  outputKeyOf,
  type RemotionLambdaApi,
} from '../../../amplify/functions/render-worker/remotion-lambda-renderer';

interface SeenRequest {
  method: string;
  hostname: string;
  path: string;
  /** The JSON body of a Lambda invocation; null for an S3 read. */
  payload: Record<string, unknown> | null;
}

interface Reply {
  statusCode?: number;
  headers?: Record<string, string>;
  /** The body: JSON-encoded unless it is already text (S3's XML errors). */
  body: unknown;
}

/**
 * `@remotion/lambda/client` bundles its own AWS SDK, so `aws-sdk-client-mock` cannot reach its
 * clients. Instead the real Remotion code runs, and a request handler (the SDK's transport)
 * records every HTTP request it sends and answers like Lambda or S3 would.
 */
const recordingTransport = (answer: (request: SeenRequest) => Reply) => {
  const requests: SeenRequest[] = [];
  const handler = {
    async handle(request: HttpRequest) {
      const body =
        request.body === undefined || typeof request.body === 'string'
          ? (request.body ?? '')
          : new TextDecoder().decode(request.body as Uint8Array);
      const seen: SeenRequest = {
        method: request.method,
        hostname: request.hostname,
        path: request.path,
        payload: body ? (JSON.parse(body) as Record<string, unknown>) : null,
      };
      requests.push(seen);
      const reply = answer(seen);
      const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
      const bytes = new TextEncoder().encode(text);
      return {
        response: {
          statusCode: reply.statusCode ?? 200,
          headers: { 'x-amz-executed-version': '1', ...reply.headers },
          // S3 hands object bodies to the caller as a stream.
          body: seen.payload === null ? Readable.from([bytes]) : bytes,
        },
      };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs: () => ({}),
  };
  return { handler, requests };
};

const ok = (body: unknown): Reply => ({ body });

// The deployed name's shape: Remotion's version, an 8-hex environment tag, then memory, disk and timeout.
const FUNCTION_NAME = 'remotion-render-4-0-527-1a2b3c4d-mem2048mb-disk2048mb-120sec';

const options = {
  functionName: FUNCTION_NAME,
  serveUrl: 'https://sites.example.com/sites/studio/index.html',
  region: 'eu-central-1',
  outputBucket: 'render-studio-output',
  outputPrefix: 'renders/',
};

const startAnswer = ok({ type: 'success', renderId: 'abc123', bucketName: 'render-studio-output' });

const renderMetadata = (overrides: Record<string, unknown> = {}) => ({
  type: 'video',
  imageFormat: 'jpeg',
  muted: false,
  frameRange: [0, 149],
  everyNthFrame: 1,
  codec: 'h264',
  siteId: options.serveUrl,
  startedDate: Date.now(),
  totalChunks: 2,
  estimatedTotalLambdaInvokations: 3,
  estimatedRenderLambdaInvokations: 2,
  compositionId: 'hello',
  audioCodec: null,
  inputProps: { type: 'payload', payload: '{}' },
  framesPerLambda: 75,
  memorySizeInMb: 2048,
  functionName: FUNCTION_NAME,
  rendererFunctionName: FUNCTION_NAME,
  lambdaVersion: '4.0.527',
  region: 'eu-central-1',
  renderId: 'abc123',
  outName: { bucketName: 'render-studio-output', key: 'renders/sub-123/job-1.mp4' },
  outputFileIsConditional: false,
  privacy: 'no-acl',
  deleteAfter: null,
  numberOfGifLoops: null,
  audioBitrate: null,
  downloadBehavior: { type: 'download', fileName: 'job-1.mp4' },
  metadata: null,
  dimensions: { width: 1280, height: 720 },
  scale: 1,
  ...overrides,
});

/** Remotion's progress.json (`OverallRenderProgress`), as the render function writes it to S3. */
const progressFile = (overrides: Record<string, unknown> = {}) => ({
  cancellationEnabled: true,
  chunks: [],
  framesRendered: 63,
  framesEncoded: 63,
  combinedFrames: 0,
  timeToCombine: null,
  timeToEncode: null,
  timeToRenderFrames: null,
  lambdasInvoked: 2,
  retries: [],
  postRenderData: null,
  timings: [],
  renderMetadata: renderMetadata(),
  errors: [],
  fatalErrorTimestamp: null,
  timeoutTimestamp: Date.now() + 120_000,
  functionLaunched: Date.now(),
  serveUrlOpened: Date.now(),
  compositionValidated: Date.now(),
  receivedArtifact: [],
  ...overrides,
});

const chunkError = (overrides: Record<string, unknown>) => ({
  type: 'stitcher',
  name: 'Error',
  message: 'Composition "hello" threw',
  stack: 'Error: Composition "hello" threw\n    at render (bundle.js:1:1)',
  frame: null,
  chunk: 1,
  isFatal: true,
  attempt: 1,
  willRetry: false,
  totalAttempts: 1,
  tmpDir: null,
  ...overrides,
});

describe('Remotion Lambda renderer', () => {
  beforeEach(() => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret');
    vi.stubEnv('AWS_SESSION_TOKEN', 'token');
  });
  afterEach(() => vi.unstubAllEnvs());

  const rendererOver = (
    answer: (request: SeenRequest) => Reply,
    extra: { concurrencyPerRender?: number } = {},
  ) => {
    const transport = recordingTransport(answer);
    const renderer = createRemotionLambdaRenderer({
      ...options,
      ...extra,
      requestHandler: transport.handler as never,
    });
    return { renderer, requests: transport.requests };
  };

  const request = {
    jobId: 'job-1',
    owner: 'sub-123::alice',
    compositionId: 'hello',
    inputProps: { title: 'Hi' },
  };

  it('starts a render by invoking the Remotion function with the exact render request', async () => {
    const { renderer, requests } = rendererOver(() => startAnswer);

    const started = await renderer.start(request);

    expect(started).toEqual({ renderId: 'abc123' });
    // The video's start, then its poster (a still, beside the video, without an ACL).
    expect(requests).toHaveLength(2);
    expect(requests[1]!.payload).toMatchObject({
      type: 'still',
      composition: 'hello',
      imageFormat: 'jpeg',
      privacy: 'no-acl',
      outName: { bucketName: 'render-studio-output', key: 'renders/sub-123/job-1.poster.jpeg' },
    });
    const [sent] = requests;
    expect(sent!.hostname).toBe('lambda.eu-central-1.amazonaws.com');
    expect(decodeURIComponent(sent!.path)).toBe(
      `/2015-03-31/functions/${options.functionName}/invocations`,
    );
    expect(sent!.payload).toMatchObject({
      type: 'start',
      serveUrl: options.serveUrl,
      composition: 'hello',
      codec: 'h264',
      outName: { bucketName: 'render-studio-output', key: 'renders/sub-123/job-1.mp4' },
      downloadBehavior: { type: 'download', fileName: 'job-1.mp4' },
      deleteAfter: null,
      enableCancellation: true,
      bucketName: 'render-studio-output',
      inputProps: { type: 'payload', payload: JSON.stringify({ title: 'Hi' }) },
      // Unset: Remotion picks the fan-out.
      concurrency: null,
    });
  });

  it('writes the video without an ACL: the output bucket has ACLs disabled (BucketOwnerEnforced)', async () => {
    const { renderer, requests } = rendererOver(() => startAnswer);

    await renderer.start(request);

    // "private" or "public" makes Remotion put the object with an ACL, which such a bucket refuses.
    expect(requests[0]!.payload).toMatchObject({ privacy: 'no-acl' });
  });

  it('caps the renderer Lambdas of a render at the configured concurrency', async () => {
    const { renderer, requests } = rendererOver(() => startAnswer, { concurrencyPerRender: 3 });

    await renderer.start(request);

    expect(requests[0]!.payload).toMatchObject({ concurrency: 3, framesPerLambda: null });
  });

  it('reads progress from S3 (progress.json in the state bucket), never invoking the render function', async () => {
    let file: Record<string, unknown> = progressFile();
    const { renderer, requests } = rendererOver(() => ok(file));

    expect(await renderer.getProgress('abc123')).toEqual({
      state: 'running',
      progress: expect.any(Number),
      renderedFrames: 63,
      totalFrames: 150,
      costUsd: expect.any(Number),
    });
    expect(requests).toEqual([
      {
        method: 'GET',
        hostname: 'render-studio-output.s3.eu-central-1.amazonaws.com',
        path: '/renders/abc123/progress.json',
        payload: null,
      },
    ]);

    file = progressFile({
      postRenderData: {
        cost: {
          estimatedCost: 0.0123,
          estimatedDisplayCost: '$0.0123',
          currency: 'USD',
          disclaimer: '',
        },
        outputFile:
          'https://render-studio-output.s3.eu-central-1.amazonaws.com/renders/sub-123/job-1.mp4',
        outputSize: 98765,
        renderSize: 98765,
        timeToFinish: 9000,
        errors: [],
        startTime: 0,
        endTime: 9000,
        timeToRenderFrames: 8000,
        timeToEncode: 500,
        timeToCleanUp: 10,
        timeToRenderChunks: 7000,
        timeToCombine: 300,
        filesCleanedUp: 4,
        retriesInfo: [],
        mostExpensiveFrameRanges: null,
        estimatedBillingDurationInMilliseconds: 16000,
        deleteAfter: null,
        artifactProgress: [],
      },
    });
    expect(await renderer.getProgress('abc123')).toEqual({
      state: 'done',
      output: {
        bucket: 'render-studio-output',
        key: 'renders/sub-123/job-1.mp4',
        sizeBytes: 98765,
        posterKey: 'renders/sub-123/job-1.poster.jpeg',
      },
      renderedFrames: 150,
      totalFrames: 150,
      costUsd: 0.0123,
    });

    file = progressFile({ errors: [chunkError({})], fatalErrorTimestamp: Date.now() });
    expect(await renderer.getProgress('abc123')).toEqual({
      state: 'failed',
      message: 'Composition "hello" threw',
      retryable: false,
      costUsd: expect.any(Number),
    });
    expect(requests.every((sent) => sent.payload === null && sent.method === 'GET')).toBe(true);
  });

  it('asks Remotion to skip the Lambda invocation when reading progress', async () => {
    const getRenderProgress = vi.fn(async () => {
      throw new Error('stop here');
    });
    const api = { getRenderProgress } as unknown as RemotionLambdaApi;
    const renderer = createRemotionLambdaRenderer({ ...options, api });

    await expect(renderer.getProgress('abc123')).rejects.toThrow('stop here');

    expect(getRenderProgress).toHaveBeenCalledWith({
      functionName: FUNCTION_NAME,
      bucketName: 'render-studio-output',
      renderId: 'abc123',
      region: 'eu-central-1',
      skipLambdaInvocation: true,
    });
  });

  it("accepts the deployed function name: Remotion's own parser reads memory, disk and timeout from it", () => {
    expect(LambdaClientInternals.parseFunctionName(FUNCTION_NAME)).toEqual({
      version: '4-0-527-1a2b3c4d',
      memorySizeInMb: 2048,
      diskSizeInMb: 2048,
      timeoutInSeconds: 120,
    });
  });

  it('refuses, at construction, a function name Remotion cannot read progress by', () => {
    expect(() =>
      createRemotionLambdaRenderer({ ...options, functionName: 'render-studio-remotion' }),
    ).toThrow(
      'The Remotion function name must follow Remotion\'s naming convention "remotion-render-<version>-mem<MB>mb-disk<MB>mb-<seconds>sec", ' +
        'but got "render-studio-remotion". Progress is read from S3, which takes the memory and timeout from that name: ' +
        'deploy the function under such a name.',
    );
  });

  describe('Lambda throttling is retryable wherever Remotion surfaces it', () => {
    it.each([
      [
        'Lambda refuses the start invocation (429 TooManyRequestsException)',
        {
          statusCode: 429,
          headers: { 'x-amzn-errortype': 'TooManyRequestsException' },
          body: {
            Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded',
            Type: 'User',
            message: 'Rate Exceeded.',
          },
        },
      ],
      [
        "the start function's own launch invocation is throttled",
        ok({
          type: 'error',
          message: 'Rate Exceeded.',
          stack: 'TooManyRequestsException: Rate Exceeded.\n    at de_TooManyRequestsExceptionRes',
        }),
      ],
      [
        'the start function hits the account concurrency limit',
        ok({
          type: 'error',
          message:
            'AWS Concurrency limit reached (Original Error: ConcurrentInvocationLimitExceeded).',
          stack: 'Error: AWS Concurrency limit reached',
        }),
      ],
    ])('at start: %s', async (_what, reply) => {
      const { renderer } = rendererOver(() => reply);

      const failure = await renderer.start(request).then(
        () => undefined,
        (error: unknown) => error,
      );

      expect(failure).toBeInstanceOf(Error);
      expect(classifyFailure(failure)).toEqual({ retryable: true, message: expect.any(String) });
    });

    it('at progress: S3 slows the progress read down (503 SlowDown)', async () => {
      const { renderer } = rendererOver(() => ({
        statusCode: 503,
        headers: { 'content-type': 'application/xml' },
        body: '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>',
      }));

      const failure = await renderer.getProgress('abc123').then(
        () => undefined,
        (error: unknown) => error,
      );

      expect(failure).toMatchObject({ name: 'SlowDown' });
      expect(classifyFailure(failure).retryable).toBe(true);
    });

    it.each([
      [
        'a chunk throttled by Lambda (the streaming call wraps it)',
        {
          message:
            'Error: AWS Concurrency limit reached (Original Error: Rate Exceeded.). See https://www.remotion.dev/docs/lambda/troubleshooting/rate-limit for tips to fix this.',
        },
      ],
      [
        'a chunk whose stack alone names the throttle (Remotion explains it)',
        {
          message: 'Lambda function remotion-render-… failed',
          stack: 'TooManyRequestsException: ConcurrentInvocationLimitExceeded\n    at invoke',
        },
      ],
      [
        'a chunk over the reserved concurrency',
        {
          message:
            'ReservedFunctionConcurrentInvocationLimitExceeded: the function is at its limit',
        },
      ],
    ])('in a chunk: %s', async (_what, error) => {
      const file = progressFile({
        errors: [chunkError(error)],
        fatalErrorTimestamp: Date.now(),
      });
      const { renderer } = rendererOver(() => ok(file));

      expect(await renderer.getProgress('abc123')).toMatchObject({
        state: 'failed',
        message: expect.stringContaining(error.message),
        retryable: true,
      });
    });
  });

  it('does not retry a render that outlived the function timeout: the same video would again', async () => {
    // Started 10 minutes ago with a chunk still missing: Remotion reports its own "TimeoutError".
    const file = progressFile({
      chunks: [0],
      renderMetadata: renderMetadata({ startedDate: Date.now() - 600_000 }),
    });
    const { renderer } = rendererOver(() => ok(file));

    const progress = await renderer.getProgress('abc123');

    expect(progress).toMatchObject({ state: 'failed', retryable: false });
    expect(progress.state === 'failed' && progress.message).toMatch(
      /^The main function timed out after 120000ms/,
    );
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
