import { describe, expect, it } from 'vitest';
import {
  PermanentRenderError,
  RetryableRenderError,
  classifyFailure,
  computeBackoffSeconds,
} from '../../../amplify/functions/render-worker/failure-classes';

const sdkError = (name: string, status: number, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`${name} happened`), {
    name,
    $metadata: { httpStatusCode: status },
    ...extra,
  });

describe('failure classes', () => {
  it.each([
    ['Lambda throttling', sdkError('TooManyRequestsException', 429)],
    ['Remotion "Rate Exceeded."', new Error('Rate Exceeded.')],
    ['DynamoDB throughput', sdkError('ProvisionedThroughputExceededException', 400)],
    ['a 503 from any service', sdkError('SomethingUnavailable', 503)],
    ['a 500 without a known name', sdkError('Weird', 500)],
    ['socket reset', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    ['fetch failure', new TypeError('fetch failed')],
    ['AppSync throttling', { errorType: 'Throttling', message: 'Rate exceeded' }],
    [
      'an SDK-marked retryable error',
      Object.assign(new Error('x'), { $retryable: { throttling: true } }),
    ],
    [
      'a wrapped network error',
      new Error('start failed', { cause: Object.assign(new Error('x'), { code: 'ETIMEDOUT' }) }),
    ],
    ['an explicit retryable error', new RetryableRenderError('try later')],
    [
      'a refused connection relayed by AppSync as text',
      {
        errorType: 'DynamoDB:Error',
        message: 'DynamoDB:Error: connect ECONNREFUSED 127.0.0.1:8000',
      },
    ],
    [
      'a service-prefixed AppSync error type',
      { errorType: 'DynamoDB:ProvisionedThroughputExceededException', message: 'slow' },
    ],
    ['a prefixed 5xx name', { errorType: 'DynamoDB:InternalServerError', message: 'oops' }],
    [
      'an SDK request timeout',
      Object.assign(new Error('Connection timed out after 1000 ms'), { name: 'TimeoutError' }),
    ],
  ])('retries %s', (_what, error) => {
    expect(classifyFailure(error).retryable).toBe(true);
  });

  it.each([
    ['an access error', sdkError('AccessDeniedException', 403)],
    ['a missing function', sdkError('ResourceNotFoundException', 404)],
    ['a bad composition', new Error('Could not find composition with ID hello')],
    ['a number that looks like a status', new Error('width must be at most 500, but got 503')],
    [
      'an explicit permanent error even when it mentions throttling',
      new PermanentRenderError('throttling config invalid'),
    ],
    ['a thrown string', 'boom'],
    [
      'a prefixed condition failure',
      { errorType: 'DynamoDB:ConditionalCheckFailedException', message: 'no' },
    ],
    ['a code-like word inside another word', new Error('field XECONNREFUSEDX is unknown')],
  ])('does not retry %s', (_what, error) => {
    expect(classifyFailure(error).retryable).toBe(false);
  });

  // The texts Remotion wraps Lambda throttling in (@remotion/lambda-client, @remotion/serverless).
  it.each([
    [
      "Remotion's concurrency wrapper around a streaming call",
      new Error(
        'AWS Concurrency limit reached (Original Error: ConcurrentInvocationLimitExceeded). See https://www.remotion.dev/docs/lambda/troubleshooting/rate-limit for tips to fix this.',
      ),
    ],
    [
      "a chunk's stack relayed as its message",
      new Error('TooManyRequestsException: Rate Exceeded.\n    at de_TooManyRequestsExceptionRes'),
    ],
    [
      "Remotion's explanation of a throttled chunk",
      new Error(
        'Lambda function failed (AWS returned an "TooManyRequestsException" error message which could mean you reached the concurrency limit of AWS Lambda.)',
      ),
    ],
    ['the account limit reason', { name: 'Error', message: 'ConcurrentInvocationLimitExceeded' }],
    [
      'the reserved concurrency reason',
      new Error('ReservedFunctionConcurrentInvocationLimitExceeded: the function is at its limit'),
    ],
    ['the reserved rate reason', new Error('ReservedFunctionInvocationRateLimitExceeded')],
  ])('retries Lambda throttling: %s', (_what, error) => {
    expect(classifyFailure(error).retryable).toBe(true);
  });

  it("does not retry Remotion's render timeout, though Remotion names it TimeoutError", () => {
    const renderTimeout = {
      name: 'TimeoutError',
      message:
        'The main function timed out after 120000ms.\nThe following chunks are missing (showing 1 out of 1):\nChunk 1 (Frames 75 - 149)',
    };

    expect(classifyFailure(renderTimeout).retryable).toBe(false);
  });

  it('keeps the message so it can be shown to a person', () => {
    expect(classifyFailure(new Error('Could not find composition with ID hello'))).toEqual({
      retryable: false,
      message: 'Could not find composition with ID hello',
    });
  });

  it('backs off exponentially with full jitter, within 1 s and the ceiling', () => {
    expect([1, 2, 3, 4, 5].map((attempt) => computeBackoffSeconds(attempt, () => 0.999))).toEqual([
      2, 4, 8, 16, 32,
    ]);
    expect(computeBackoffSeconds(20, () => 0.999, { maxSeconds: 300 })).toBe(300);
    expect(computeBackoffSeconds(3, () => 0)).toBe(1);
    const samples = Array.from({ length: 200 }, (_, i) => computeBackoffSeconds(4, () => i / 200));
    expect(Math.min(...samples)).toBe(1);
    expect(Math.max(...samples)).toBe(16);
    expect(new Set(samples).size).toBeGreaterThan(10);
  });
});
