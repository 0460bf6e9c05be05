import { s3AddressOf, type AwsCall } from './aws-call-recorder';
import type { FunctionFacts, SynthesizedAccount } from './template-resolver';

/**
 * The AWS calls the Remotion render function makes on our behalf for one `renderMediaOnLambda`,
 * read from Remotion's source (4.0.527; paths under node_modules/@remotion). The function's code
 * runs only in AWS, so these are a table, filled in from the request the worker actually sent.
 */

/** The fields of the `start` payload (`renderMediaOnLambda` → the function) that decide its calls. */
export interface RemotionStartPayload {
  type: 'start';
  /** Bucket of the render state (`forceBucketName`). */
  bucketName: string;
  serveUrl: string;
  privacy: 'public' | 'private' | 'no-acl';
  outName: { bucketName: string; key: string } | string | null;
  enableCancellation: boolean;
  overwrite?: boolean;
  inputProps: { type: 'payload' } | { type: 'bucket-url'; hash: string; bucketName: string };
  rendererFunctionName: string | null;
}

// lambda-client/dist/cjs/index.js `lambdaWriteFileImplementation` → `tryLambdaWriteFile`:
// `ACL: privacy === "no-acl" ? undefined : privacy === "private" ? "private" : "public-read"`.
const aclOfPrivacy = (privacy: RemotionStartPayload['privacy']) =>
  privacy === 'no-acl' ? undefined : privacy === 'private' ? 'private' : 'public-read';

/**
 * The S3 read behind a browser's unsigned GET of `url`: the request itself when the URL is an S3
 * object's, or CloudFront's origin request (its service principal, for that distribution) when a
 * distribution serves it.
 */
export const s3ReadBehindUrl = (
  account: SynthesizedAccount,
  url: string,
  source: string,
): AwsCall => {
  const parsed = new URL(url);
  const direct = s3AddressOf(parsed.hostname, parsed.pathname);
  if (direct) {
    return {
      principal: 'anonymous',
      action: 's3:GetObject',
      resource: `arn:aws:s3:::${direct.bucket}/${direct.key}`,
      context: {},
      source,
    };
  }
  const distribution = account.distributionServing(parsed.hostname);
  return {
    principal: 'cloudfront.amazonaws.com',
    action: 's3:GetObject',
    resource: `arn:aws:s3:::${distribution.originBucket}/${decodeURIComponent(parsed.pathname.slice(1))}`,
    context: { 'aws:SourceArn': distribution.arn, 'aws:SourceAccount': account.accountId },
    source: `${source} (CloudFront origin request)`,
  };
};

/** A PutObject as Remotion's `writeFile` sends it: with an ACL it also needs s3:PutObjectAcl. */
const putObject = (
  principal: string,
  resource: string,
  acl: string | undefined,
  source: string,
): AwsCall[] => {
  if (!acl) return [{ principal, action: 's3:PutObject', resource, context: {}, source }];
  const put: AwsCall = {
    principal,
    action: 's3:PutObject',
    resource,
    context: { 's3:x-amz-acl': acl },
    source,
    acl,
  };
  return [put, { ...put, action: 's3:PutObjectAcl', source: `${source} (x-amz-acl: ${acl})` }];
};

/** Every call the render function (and its renderer invocations) makes for one render. */
export const remotionFunctionCallsOf = ({
  payload,
  renderId,
  renderFunction,
  account,
}: {
  payload: RemotionStartPayload;
  renderId: string;
  renderFunction: FunctionFacts;
  account: SynthesizedAccount;
}): AwsCall[] => {
  const { region, accountId } = account;
  const role = renderFunction.roleArn;
  const state = (key: string) => `arn:aws:s3:::${payload.bucketName}/${key}`;
  // lambda-client/dist/cjs/index.js `overallProgressKey`, `cancellationKey`.
  const progressKey = `renders/${renderId}/progress.json`;
  const cancelKey = `renders/${renderId}/cancel.json`;
  if (typeof payload.outName !== 'object' || payload.outName === null) {
    throw new Error(
      `The worker must name its output ({ bucketName, key }), but renderMediaOnLambda sent outName ${JSON.stringify(payload.outName)}`,
    );
  }
  const output = `arn:aws:s3:::${payload.outName.bucketName}/${payload.outName.key}`;
  const rendererArn = payload.rendererFunctionName
    ? `arn:aws:lambda:${region}:${accountId}:function:${payload.rendererFunctionName}`
    : renderFunction.arn;
  const calls: AwsCall[] = [
    // serverless/dist/handlers/start.js `startHandler`: the initial progress.json, `privacy: 'private'`.
    ...putObject(role, state(progressKey), 'private', 'Remotion start: initial progress.json'),
    // start.js `providerSpecifics.callFunctionAsync({ type: launch })`: invokes itself.
    {
      principal: role,
      action: 'lambda:InvokeFunction',
      resource: renderFunction.arn,
      context: {},
      source: 'Remotion start: launch invocation',
    },
    // handlers/launch.js (validateComposition) and handlers/renderer.js: Chromium opens the serve
    // URL over plain HTTPS, unsigned.
    s3ReadBehindUrl(account, payload.serveUrl, "Remotion's Chromium opens the serve URL"),
    // overall-render-progress.js `uploadWithRetries`: progress updates, `privacy: 'private'`.
    ...putObject(role, state(progressKey), 'private', 'Remotion launch: progress.json update'),
    // stream-renderer.js `callFunctionStreaming`: one renderer invocation per chunk.
    {
      principal: role,
      action: 'lambda:InvokeFunction',
      resource: rendererArn,
      context: {},
      source: 'Remotion launch: renderer invocations',
    },
    // finish-render.js `finishRender`: the video, with the ACL the worker's `privacy` implies,
    // conditional (If-None-Match) unless `overwrite`; lib-storage uploads a file stream in parts.
    ...putObject(role, output, aclOfPrivacy(payload.privacy), 'Remotion finishRender: the video'),
    {
      principal: role,
      action: 's3:AbortMultipartUpload',
      resource: output,
      context: {},
      source: 'Remotion finishRender: a refused conditional upload is aborted',
    },
  ];
  if (!payload.overwrite) {
    // handlers/launch.js `findOutputFileInBucket`: HEAD of the output before rendering.
    calls.push({
      principal: role,
      action: 's3:GetObject',
      resource: output,
      context: {},
      source: 'Remotion launch: does the output exist (HEAD)',
    });
  }
  if (payload.enableCancellation) {
    calls.push(
      // cancellation-polling.js: each renderer HEADs the cancel file every second; S3 answers a
      // missing key with 404 only to a caller with s3:ListBucket (403 otherwise, logged each poll).
      {
        principal: role,
        action: 's3:GetObject',
        resource: state(cancelKey),
        context: {},
        source: 'Remotion renderer: cancellation polling (HEAD)',
      },
      {
        principal: role,
        action: 's3:ListBucket',
        resource: `arn:aws:s3:::${payload.bucketName}`,
        context: {},
        source: 'Remotion renderer: cancellation polling sees 404, not 403',
      },
      // handlers/launch.js `cancelOtherRenderers` → `writeCancellationSignal`, `privacy: 'private'`.
      ...putObject(role, state(cancelKey), 'private', 'Remotion launch: cancel other renderers'),
    );
  }
  if (payload.inputProps.type === 'bucket-url') {
    // Props over Remotion's inline limit: renderers read them (handlers/renderer.js
    // `decompressInputProps`) and finish-render.js `cleanupProps` deletes them.
    const props = `arn:aws:s3:::${payload.inputProps.bucketName}/input-props/${payload.inputProps.hash}.json`;
    calls.push(
      {
        principal: role,
        action: 's3:GetObject',
        resource: props,
        context: {},
        source: 'Remotion renderer: input props',
      },
      {
        principal: role,
        action: 's3:DeleteObject',
        resource: props,
        context: {},
        source: 'Remotion cleanupProps',
      },
    );
  }
  return calls;
};
