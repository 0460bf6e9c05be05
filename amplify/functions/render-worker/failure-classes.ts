/**
 * The one place where failures are classified (docs/architecture.md). Retryable failures go back to
 * the queue with backoff; permanent ones end the job FAILED with a message a person can act on.
 */

/** A failure that will not go away by retrying: the job ends FAILED with `message`. */
export class PermanentRenderError extends Error {
  override readonly name = 'PermanentRenderError';
}

/** A failure that is expected to pass (throttling, network, 5xx): retry later. */
export class RetryableRenderError extends Error {
  override readonly name: string = 'RetryableRenderError';
}

/** A retryable failure that must go back to the queue at once, never be retried in place (the worker is stopping). */
export class HandBackError extends RetryableRenderError {
  override readonly name = 'HandBackError';
}

/** The verdict on a failure. */
export type FailureClass =
  { retryable: true; message: string } | { retryable: false; message: string };

const RETRYABLE_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
  'RequestThrottled',
  'SlowDown',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalServerError',
  'InternalServerException',
  'InternalFailure',
  'ServiceException',
  'EC2ThrottledException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'NetworkingError',
  'AbortError',
]);

const RETRYABLE_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

// Messages of throttling/network failures that arrive without a useful name. Remotion wraps Lambda
// errors in plain `Error`s: "Rate Exceeded.", "AWS Concurrency limit reached (Original Error: …)", a
// chunk's stack as its message ("TooManyRequestsException: Rate Exceeded."), Lambda's throttle reasons.
const RETRYABLE_MESSAGE =
  /rate exceeded|too ?many ?requests|throttl|concurrency limit|(Concurrent|RateLimit)\w*Exceeded|slow down|socket hang up|fetch failed|network ?error|econnreset|etimedout|service unavailable|internal server error|bad gateway|gateway time-?out/i;

// Remotion also names a render that outlived its function's timeout "TimeoutError"; rendering the same
// video again runs into the same limit, so unlike a request timeout it is not worth a retry.
const REMOTION_RENDER_TIMEOUT = /^The main function timed out after \d+ ?ms/;

const RETRYABLE_CODE_IN_MESSAGE = new RegExp(`\\b(${[...RETRYABLE_CODES].join('|')})\\b`);

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  errorType?: unknown;
  message?: unknown;
  statusCode?: unknown;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  cause?: unknown;
}

const isRetryableShape = (error: ErrorLike, depth: number): boolean => {
  if (error instanceof RetryableRenderError) return true;
  if (error instanceof PermanentRenderError) return false;
  if (typeof error.message === 'string' && REMOTION_RENDER_TIMEOUT.test(error.message))
    return false;
  const status = error.$metadata?.httpStatusCode ?? error.statusCode;
  if (typeof status === 'number' && (status >= 500 || status === 429)) return true;
  if (error.$retryable !== undefined && error.$retryable !== null) return true;
  for (const field of [error.name, error.errorType, error.code]) {
    if (typeof field !== 'string') continue;
    // AppSync prefixes a data source's error with its service ("DynamoDB:ProvisionedThroughputExceededException").
    const name = field.slice(field.lastIndexOf(':') + 1);
    if (RETRYABLE_NAMES.has(name) || RETRYABLE_CODES.has(name)) return true;
    if (/throttl|TooManyRequests|ProvisionedThroughputExceeded/i.test(field)) return true;
  }
  if (typeof error.message === 'string' && RETRYABLE_MESSAGE.test(error.message)) return true;
  // A network failure relayed as text only, e.g. AppSync's "DynamoDB:Error: connect ECONNREFUSED 127.0.0.1:8000".
  if (typeof error.message === 'string' && RETRYABLE_CODE_IN_MESSAGE.test(error.message))
    return true;
  if (depth < 3 && typeof error.cause === 'object' && error.cause !== null) {
    return isRetryableShape(error.cause as ErrorLike, depth + 1);
  }
  return false;
};

/** Describes any thrown value in one line. */
export const describeError = (error: unknown): string => {
  if (error instanceof Error) return error.message || error.name;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error);
  } catch {
    return String(error);
  }
};

/** Decides whether a failure is worth retrying; everything not known to be transient is permanent. */
export const classifyFailure = (error: unknown): FailureClass => {
  const message = describeError(error);
  const retryable =
    typeof error === 'object' && error !== null && isRetryableShape(error as ErrorLike, 0);
  return retryable ? { retryable: true, message } : { retryable: false, message };
};

/** Exponential backoff with full jitter, in whole seconds (SQS visibility/delay granularity). */
export const computeBackoffSeconds = (
  attempt: number,
  random: () => number,
  { baseSeconds = 2, maxSeconds = 300 }: { baseSeconds?: number; maxSeconds?: number } = {},
): number => {
  const ceiling = Math.min(maxSeconds, baseSeconds * 2 ** Math.max(0, attempt - 1));
  return Math.max(1, Math.ceil(random() * ceiling));
};
