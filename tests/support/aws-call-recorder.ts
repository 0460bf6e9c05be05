import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { HttpResponse, type HttpRequest } from '@smithy/protocol-http';
import type { MiddlewareStack } from '@smithy/types';

/**
 * Records the AWS calls our adapters make, as IAM sees them (principal, action, resource and the
 * request facts that conditions and S3 judge), so tests can evaluate each against the synthesized
 * policies. Calls are captured where the real adapters send them: an SDK middleware on a real
 * client, or the HTTP request a client hands its transport.
 */

/** One AWS API call as IAM authorizes it. */
export interface AwsCall {
  /** Who is asking: an IAM role or user ARN, or `anonymous` for an unsigned request. */
  principal: string;
  /** The IAM action, e.g. `s3:PutObject`. */
  action: string;
  /** The resource ARN. */
  resource: string;
  /** Condition keys the request sets, e.g. `s3:x-amz-acl`. */
  context: Record<string, string>;
  /** The canned ACL sent with an S3 object write, which object ownership judges. */
  acl?: string;
  /** What made the call, for failure messages. */
  source: string;
  /** Set for the few calls IAM never refuses (sts:GetCallerIdentity); recorded, not simulated. */
  needsNoPermission?: string;
}

/** Collects calls in the order they were made. */
export interface AwsCallRecorder {
  readonly calls: AwsCall[];
  record(call: AwsCall): void;
}

/** A fresh, empty recorder. */
export const createAwsCallRecorder = (): AwsCallRecorder => {
  const calls: AwsCall[] = [];
  return { calls, record: (call) => calls.push(call) };
};

/** What a stubbed transport answers: status, headers and a body. */
export interface StubAnswer {
  statusCode?: number;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
}

/**
 * A Smithy HTTP handler that answers every request itself (no network), for real SDK clients and
 * for Remotion's `requestHandler` option. `onRequest` sees each request first.
 */
export const createStubTransport = (answer: (request: HttpRequest) => StubAnswer) => ({
  metadata: { handlerProtocol: 'http/1.1' },
  async handle(request: HttpRequest) {
    const { statusCode = 200, headers = {}, body = '' } = answer(request);
    return {
      response: new HttpResponse({
        statusCode,
        headers,
        // SDKs read bodies as Node streams (S3's GetObject insists on one).
        body: Readable.from([
          typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body),
        ]),
      }),
    };
  },
  updateHttpClientConfig() {},
  httpHandlerConfigs: () => ({}),
  destroy() {},
});

/** The request body as text (SDKs hand transports strings or bytes; streams are not used here). */
export const bodyTextOf = (request: HttpRequest): string => {
  const body: unknown = request.body;
  if (body === undefined || body === null) return '';
  if (typeof body === 'string') return body;
  // TextDecoder reads the bytes; Buffer.from would call the string view newer SDKs attach (and warn).
  if (body instanceof Uint8Array) return new TextDecoder().decode(body);
  throw new Error(`Cannot read a ${typeof body} request body in a test transport`);
};

/** A JSON-protocol answer (SQS, DynamoDB, Secrets Manager). */
export const jsonAnswer = (value: unknown): StubAnswer => ({
  headers: { 'content-type': 'application/x-amz-json-1.0' },
  body: JSON.stringify(value),
});

/** SQS checks the MD5 it gets back against the body it sent. */
export const md5Of = (text: string) => createHash('md5').update(text).digest('hex');

// SDK operations whose IAM action has another name.
const IAM_ACTION_OF_OPERATION: Record<string, string> = {
  's3:HeadObject': 's3:GetObject',
  's3:ListObjectsV2': 's3:ListBucket',
};

/** The IAM action an SDK operation is authorized as, e.g. `s3:HeadObject` → `s3:GetObject`. */
export const iamActionOf = (service: string, operation: string) =>
  IAM_ACTION_OF_OPERATION[`${service}:${operation}`] ?? `${service}:${operation}`;

/**
 * Records every command a real SDK client sends, at the start of its middleware stack, as the call
 * IAM authorizes: `resourceOf` maps the command's input to the resource ARN.
 */
export const recordSdkCalls = <Input extends object, Output extends object>(
  client: { middlewareStack: MiddlewareStack<Input, Output> },
  recorder: AwsCallRecorder,
  {
    principal,
    service,
    source,
    resourceOf,
  }: {
    principal: string;
    /** IAM service prefix, e.g. `sqs`. */
    service: string;
    source: string;
    resourceOf: (operation: string, input: Record<string, unknown>) => string;
  },
) => {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = String(context.commandName).replace(/Command$/, '');
      recorder.record({
        principal,
        action: iamActionOf(service, operation),
        resource: resourceOf(operation, args.input as Record<string, unknown>),
        context: {},
        source: `${source} (${operation})`,
      });
      return next(args);
    },
    { step: 'initialize', name: 'recordAwsCallForIamSimulation' },
  );
};

/** `https://sqs.<region>.amazonaws.com/<account>/<name>` → the queue's ARN. */
export const queueArnOfUrl = (queueUrl: string): string => {
  const match = /^https:\/\/sqs\.([a-z0-9-]+)\.amazonaws\.com\/(\d{12})\/([^/]+)$/.exec(queueUrl);
  if (!match) throw new Error(`Not an SQS queue URL: ${queueUrl}`);
  return `arn:aws:sqs:${match[1]}:${match[2]}:${match[3]}`;
};

/** Canned ACLs that grant the public something; Block Public Access refuses them. */
export const PUBLIC_CANNED_ACLS = ['public-read', 'public-read-write', 'authenticated-read'];

/** The bucket and key an S3 request addresses (virtual-hosted or path style), or null if not S3. */
export const s3AddressOf = (
  hostname: string,
  path: string,
): { bucket: string; key: string } | null => {
  const decodedPath = decodeURIComponent(path.replace(/^\//, ''));
  const virtual = /^(.+)\.s3[.-]([a-z0-9-]+\.)?amazonaws\.com$/.exec(hostname);
  if (virtual) return { bucket: virtual[1]!, key: decodedPath };
  if (/^s3[.-]([a-z0-9-]+\.)?amazonaws\.com$/.test(hostname)) {
    const [bucket = '', ...key] = decodedPath.split('/');
    return { bucket, key: key.join('/') };
  }
  return null;
};

/**
 * The IAM calls one HTTP request stands for, for clients we cannot attach middleware to
 * (Remotion bundles its own SDK): Lambda invokes and S3 object reads and writes. An `x-amz-acl`
 * header is judged by the `s3:x-amz-acl` condition key and also needs `s3:PutObjectAcl`.
 */
export const awsCallsOfHttpRequest = (
  request: HttpRequest,
  { principal, source, accountId }: { principal: string; source: string; accountId: string },
): AwsCall[] => {
  const region = /\.([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com$/.exec(request.hostname)?.[1];
  const lambda = /^\/20\d\d-\d\d-\d\d\/functions\/([^/]+)\/(response-streaming-)?invocations$/.exec(
    request.path,
  );
  if (request.hostname.startsWith('lambda.') && lambda && region) {
    const fn = decodeURIComponent(lambda[1]!);
    const resource = fn.startsWith('arn:')
      ? fn
      : `arn:aws:lambda:${region}:${accountId}:function:${fn}`;
    // InvokeWithResponseStream is authorized as lambda:InvokeFunction.
    return [{ principal, action: 'lambda:InvokeFunction', resource, context: {}, source }];
  }
  const s3 = s3AddressOf(request.hostname, request.path);
  if (s3) {
    const objectArn = `arn:aws:s3:::${s3.bucket}/${s3.key}`;
    const headers = Object.fromEntries(
      Object.entries(request.headers).map(([name, value]) => [name.toLowerCase(), value]),
    );
    const query = request.query ?? {};
    if (!s3.key && request.method === 'GET') {
      return [
        {
          principal,
          action: 's3:ListBucket',
          resource: `arn:aws:s3:::${s3.bucket}`,
          context: {},
          source,
        },
      ];
    }
    if (request.method === 'GET' || request.method === 'HEAD') {
      return [{ principal, action: 's3:GetObject', resource: objectArn, context: {}, source }];
    }
    if (request.method === 'DELETE') {
      const action = 'uploadId' in query ? 's3:AbortMultipartUpload' : 's3:DeleteObject';
      return [{ principal, action, resource: objectArn, context: {}, source }];
    }
    if (request.method === 'PUT' || request.method === 'POST') {
      const acl = headers['x-amz-acl'];
      const context: Record<string, string> = acl ? { 's3:x-amz-acl': acl } : {};
      const put: AwsCall = {
        principal,
        action: 's3:PutObject',
        resource: objectArn,
        context,
        source,
      };
      if (!acl) return [put];
      return [
        { ...put, acl },
        { ...put, action: 's3:PutObjectAcl', acl, source: `${source} (x-amz-acl: ${acl})` },
      ];
    }
  }
  throw new Error(
    `aws-call-recorder cannot map ${request.method} https://${request.hostname}${request.path} to an IAM action: teach awsCallsOfHttpRequest.`,
  );
};

/** The S3 GET a presigned URL allows, with the access key that signed it. */
export const s3GetOfPresignedUrl = (url: string) => {
  const parsed = new URL(url);
  const address = s3AddressOf(parsed.hostname, parsed.pathname);
  const credential = parsed.searchParams.get('X-Amz-Credential');
  if (!address || !credential) throw new Error(`Not a presigned S3 URL: ${url}`);
  return {
    accessKeyId: credential.split('/')[0]!,
    resource: `arn:aws:s3:::${address.bucket}/${address.key}`,
  };
};
