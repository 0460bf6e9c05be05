import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AppSyncIdentityCognito } from 'aws-lambda';
import { createDynamoJobRecords } from '../../amplify/functions/remove-job/dynamo-job-records';
import { createRemoveJobHandler } from '../../amplify/functions/remove-job/handler';
import { createS3RenderObjects } from '../../amplify/functions/remove-job/s3-render-objects';
import {
  bodyTextOf,
  createStubTransport,
  jsonAnswer,
  queueArnOfUrl,
  recordSdkCalls,
  type AwsCall,
  type AwsCallRecorder,
} from '../support/aws-call-recorder';
import type { FunctionFacts, SynthesizedAccount } from '../support/template-resolver';
import { FAKE_CREDENTIALS, lambdaLogWritesOf } from './recorded-function-calls';

const OWNER_SUB = 'sub-1';

/**
 * The remove-job function's calls, through its real handler and adapters: the delete of a RENDERING job, so every
 * call is made (read, ask to cancel, read again once the worker ended it, the output keys, Remotion's render state
 * listed and deleted, the record deleted). Also the calls it must be refused, beside the resources it reaches.
 */
export const recordJobRemoverCalls = async (
  account: SynthesizedAccount,
  recorder: AwsCallRecorder,
): Promise<{ fn: FunctionFacts; forbidden: AwsCall[] }> => {
  const fn = account.functions().find((candidate) => candidate.amplifyName === 'remove-job');
  if (!fn) throw new Error('The templates have no remove-job function (amplify friendly name)');
  const env = fn.environment;
  const tableArn = `arn:aws:dynamodb:${account.region}:${account.accountId}:table/${env.JOB_TABLE_NAME}`;

  // The Job table: rendering at first, CANCELLED once the remover has asked (the worker's part).
  let cancelAsked = false;
  const dynamo = new DynamoDBClient({
    region: account.region,
    credentials: FAKE_CREDENTIALS,
    requestHandler: createStubTransport((request) => {
      const target = String(request.headers['x-amz-target'] ?? '');
      if (target.endsWith('.UpdateItem')) cancelAsked = true;
      if (!target.endsWith('.GetItem')) return jsonAnswer({});
      return jsonAnswer({
        Item: {
          id: { S: 'job-1' },
          owner: { S: `${OWNER_SUB}::alice` },
          status: { S: cancelAsked ? 'CANCELLED' : 'RENDERING' },
          renderId: { S: 'render-1' },
          outputFormat: { S: 'webm' },
        },
      });
    }),
  });
  recordSdkCalls(dynamo, recorder, {
    principal: fn.roleArn,
    service: 'dynamodb',
    source: 'remove-job job records',
    resourceOf: (_, input) =>
      `arn:aws:dynamodb:${account.region}:${account.accountId}:table/${String(input.TableName)}`,
  });

  const s3 = new S3Client({
    region: account.region,
    credentials: FAKE_CREDENTIALS,
    requestHandler: createStubTransport((request) => {
      if (request.method === 'DELETE') return { statusCode: 204 };
      void bodyTextOf(request);
      return {
        headers: { 'content-type': 'application/xml' },
        body:
          '<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
          '<Name>b</Name><Prefix>renders/render-1/</Prefix><KeyCount>1</KeyCount><MaxKeys>1000</MaxKeys>' +
          '<IsTruncated>false</IsTruncated><Contents><Key>renders/render-1/progress.json</Key></Contents></ListBucketResult>',
      };
    }),
  });
  // S3 calls as IAM judges them: object ARNs, and a listing's prefix as the `s3:prefix` condition key.
  s3.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = String(context.commandName).replace(/Command$/, '');
      const input = args.input as { Bucket?: string; Key?: string; Prefix?: string };
      const listing = operation === 'ListObjectsV2';
      recorder.record({
        principal: fn.roleArn,
        action: listing ? 's3:ListBucket' : `s3:${operation}`,
        resource: listing
          ? `arn:aws:s3:::${input.Bucket}`
          : `arn:aws:s3:::${input.Bucket}/${input.Key}`,
        context: listing ? { 's3:prefix': input.Prefix ?? '' } : {},
        source: `remove-job render objects (${operation})`,
      });
      return next(args);
    },
    { step: 'initialize', name: 'recordAwsCallForIamSimulation' },
  );

  const handler = createRemoveJobHandler({
    ...createDynamoJobRecords({
      tableName: env.JOB_TABLE_NAME!,
      client: DynamoDBDocumentClient.from(dynamo),
    }),
    ...createS3RenderObjects({
      outputBucket: env.OUTPUT_BUCKET_NAME!,
      remotionBucket: env.REMOTION_BUCKET_NAME!,
      client: s3,
    }),
    outputPrefix: env.OUTPUT_PREFIX!,
    now: () => new Date(),
    sleep: async () => {},
  });
  const removed = await handler({
    arguments: { jobId: 'job-1' },
    identity: { sub: OWNER_SUB } as AppSyncIdentityCognito,
  });
  if (!removed.cancelledFirst)
    throw new Error(
      `The recorded removal should have cancelled the job first: ${JSON.stringify(removed)}`,
    );
  for (const call of lambdaLogWritesOf(account, fn)) recorder.record(call);

  // Its neighbours: what the function must not do, though it works beside each of them.
  const worker = account.functionWithEnvironment('REMOTION_SERVE_URL');
  const output = `arn:aws:s3:::${env.OUTPUT_BUCKET_NAME}`;
  const remotion = `arn:aws:s3:::${env.REMOTION_BUCKET_NAME}`;
  const batchTable = `arn:aws:dynamodb:${account.region}:${account.accountId}:table/${String(
    account.functions().find((candidate) => candidate.environment.BATCH_TABLE_NAME)?.environment
      .BATCH_TABLE_NAME,
  )}`;
  const forbidden: [string, string, string, Record<string, string>?][] = [
    ['dynamodb:Scan', tableArn, 'scan the Job table'],
    ['dynamodb:Query', `${tableArn}/index/jobsByOwnerAndCreatedAt`, 'query the Job indexes'],
    ['dynamodb:PutItem', tableArn, 'write new jobs'],
    ['dynamodb:DeleteItem', batchTable, 'delete batches'],
    ['s3:GetObject', `${output}/renders/sub-1/job-1.mp4`, "read a user's video"],
    ['s3:PutObject', `${output}/renders/sub-1/job-1.mp4`, "overwrite a user's video"],
    ['s3:DeleteObject', `${output}/public/index.html`, 'delete outside the output prefix'],
    ['s3:DeleteObject', `${remotion}/sites/render-studio/index.html`, "delete Remotion's site"],
    ['s3:ListBucket', remotion, "list Remotion's site", { 's3:prefix': 'sites/' }],
    ['s3:ListBucket', output, 'list the output bucket', { 's3:prefix': 'renders/' }],
    ['sqs:SendMessage', queueArnOfUrl(worker.environment.RENDER_QUEUE_URL!), 'enqueue renders'],
    [
      'lambda:InvokeFunction',
      account.functionNamed(worker.environment.REMOTION_FUNCTION_NAME!).arn,
      'start renders',
    ],
  ];
  return {
    fn,
    forbidden: forbidden.map(([action, resource, what, context = {}]) => ({
      principal: fn.roleArn,
      action,
      resource,
      context,
      source: `remove-job function must not ${what}`,
    })),
  };
};
