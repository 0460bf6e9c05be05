import { answerKeyCleanup } from '../../amplify/functions/signer-key-rotation/key-cleanup-resource';
import type { SignerKeyRotationPorts } from '../../amplify/functions/signer-key-rotation/rotate-signer-key';
import type { AwsCall, AwsCallRecorder } from '../support/aws-call-recorder';
import {
  createFakeSignerAccount,
  SIGNER_SECRET_ARN,
  SIGNER_USER,
} from '../support/fake-signer-account';
import type { FunctionFacts, SynthesizedAccount } from '../support/template-resolver';
import { lambdaLogWritesOf, signerRotationOf } from './recorded-function-calls';

// The calls made around our functions rather than by their request path: the signer-key rotation
// (run by Secrets Manager) and the AWS services that invoke or feed our functions.

/** An SDK command as a client's `send` receives it. */
interface SentCommand {
  input: Record<string, unknown>;
  constructor: { name: string };
}

/** Wraps a client's `send` so each command is recorded before the (mocked) client answers it. */
const recordingSend = (
  client: { send: (command: never) => Promise<unknown> },
  record: (operation: string, input: Record<string, unknown>) => void,
) => ({
  send: (command: SentCommand) => {
    record(command.constructor.name.replace(/Command$/, ''), command.input);
    return client.send(command as never);
  },
});

/**
 * The signer-key rotation function's calls: three scheduled rotations 30 days apart (the third
 * deletes the first key) and the stack's key cleanup, run by its real code over the in-memory
 * IAM and Secrets Manager of tests/support/fake-signer-account.ts, whose names are mapped to the
 * templates' user and secret.
 */
export const recordSignerKeyRotationCalls = async (
  account: SynthesizedAccount,
  recorder: AwsCallRecorder,
  secretArn: string,
): Promise<{ fn: FunctionFacts }> => {
  const { rotation: fn, user } = signerRotationOf(account, secretArn);
  const start = new Date('2025-01-01T00:00:00.000Z');
  const fake = createFakeSignerAccount({ start });
  const record = (service: string, resource: string) => (operation: string) =>
    recorder.record({
      principal: fn.roleArn,
      action: `${service}:${operation}`,
      resource,
      context: {},
      source: `signer-key rotation (${operation})`,
    });
  try {
    const base = fake.ports();
    const ports: Partial<SignerKeyRotationPorts> = {
      secrets: recordingSend(base.secrets, (operation, input) => {
        if (input.SecretId !== SIGNER_SECRET_ARN)
          throw new Error(`Rotation of an unknown secret ${String(input.SecretId)}`);
        record('secretsmanager', secretArn)(operation);
      }) as unknown as SignerKeyRotationPorts['secrets'],
      iam: recordingSend(base.iam, (operation, input) => {
        if (input.UserName !== SIGNER_USER)
          throw new Error(`Rotation touches another user ${String(input.UserName)}`);
        record('iam', user.arn)(operation);
      }) as unknown as SignerKeyRotationPorts['iam'],
      callerArnOf: async (key) => {
        recorder.record({
          principal: fn.roleArn,
          action: 'sts:GetCallerIdentity',
          resource: '*',
          context: {},
          source: 'signer-key rotation: testSecret with the new key',
          needsNoPermission: 'GetCallerIdentity needs no permission and cannot be denied',
        });
        return await base.callerArnOf(key);
      },
    };
    for (const day of [0, 30, 60]) {
      fake.setTime(new Date(start.getTime() + day * 86_400_000));
      await fake.rotate(ports);
    }
    await answerKeyCleanup(
      {
        RequestType: 'Delete',
        ResourceProperties: { ServiceToken: fn.arn, UserName: SIGNER_USER },
        ResponseURL: 'https://cloudformation-custom-resource-response.example/',
        StackId: 'stack',
        RequestId: 'request',
        LogicalResourceId: 'VideoUrlSignerKeyCleanup',
        ResourceType: 'Custom::SignerKeyCleanup',
        ServiceToken: fn.arn,
        PhysicalResourceId: 'signer-key-cleanup',
      },
      { ...fake.ports(ports), userName: SIGNER_USER },
      // The presigned response URL needs no IAM: answered here.
      async () => new Response(null, { status: 200 }),
    );
  } finally {
    fake.restore();
  }
  for (const call of lambdaLogWritesOf(account, fn)) recorder.record(call);
  return { fn };
};

/**
 * Calls AWS services make to run our functions, read from the templates: an event source mapping
 * polls its queue or stream with the function's role and sends a record it gives up to its failure
 * destination with that role, the job stream's pipe reads the stream and sends to its queue and DLQ
 * with the pipe's role, and EventBridge and Secrets Manager invoke functions through their resource
 * policies (the `AWS::Lambda::Permission`s).
 */
export const platformCallsOf = (account: SynthesizedAccount): AwsCall[] => {
  const functions = account.functions();
  const byRef = (stack: string, value: unknown) => {
    const resolved = account.resolve(stack, value);
    return functions.find((fn) => fn.arn === resolved || fn.name === resolved);
  };
  const calls: AwsCall[] = [];
  // What a stream poller needs of the role it runs as (Lambda developer guide, "Using Lambda with DynamoDB";
  // EventBridge Pipes user guide, "DynamoDB stream as a source"): the same four reads.
  const streamReads = (principal: string, stream: string, source: string): AwsCall[] =>
    [
      'dynamodb:DescribeStream',
      'dynamodb:GetRecords',
      'dynamodb:GetShardIterator',
      'dynamodb:ListStreams',
    ].map((action) => ({
      principal,
      action,
      // ListStreams names no stream: IAM evaluates it on `*`.
      resource: action === 'dynamodb:ListStreams' ? '*' : stream,
      context: {},
      source,
    }));
  // A record the poller gives up on goes to the failure destination, sent with the same role: an SQS queue needs
  // sqs:SendMessage (Lambda developer guide, "Retaining discarded batches"; Pipes, "dead-letter queue").
  const deadLetterSend = (principal: string, destination: unknown, source: string): AwsCall[] => {
    if (destination === undefined) return [];
    const arn = String(destination);
    if (!arn.startsWith('arn:aws:sqs:'))
      throw new Error(`${source}: a failure destination that is not an SQS queue: ${arn}`);
    return [{ principal, action: 'sqs:SendMessage', resource: arn, context: {}, source }];
  };
  for (const { stack, properties } of account.resourcesOfType('AWS::Lambda::EventSourceMapping')) {
    const fn = byRef(stack, properties.FunctionName);
    const source = String(account.resolve(stack, properties.EventSourceArn));
    if (fn && /^arn:aws:dynamodb:.*\/stream\//.test(source)) {
      const label = `Lambda event source mapping of ${fn.name}`;
      calls.push(...streamReads(fn.roleArn, source, label));
      const destination = account.resolve(stack, properties.DestinationConfig) as
        { OnFailure?: { Destination?: unknown } } | undefined;
      calls.push(
        ...deadLetterSend(
          fn.roleArn,
          destination?.OnFailure?.Destination,
          `${label}, giving a record up`,
        ),
      );
      continue;
    }
    if (!fn || !source.startsWith('arn:aws:sqs:')) continue;
    // What Lambda's SQS poller needs of the execution role (Lambda developer guide, "Using Lambda with Amazon SQS").
    for (const action of ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes']) {
      calls.push({
        principal: fn.roleArn,
        action,
        resource: source,
        context: {},
        source: `Lambda event source mapping of ${fn.name}`,
      });
    }
  }
  for (const { stack, logicalId, properties } of account.resourcesOfType('AWS::Pipes::Pipe')) {
    const role = String(account.resolve(stack, properties.RoleArn));
    const source = String(account.resolve(stack, properties.Source));
    const target = String(account.resolve(stack, properties.Target));
    const label = `EventBridge Pipe ${logicalId}`;
    if (!/^arn:aws:dynamodb:.*\/stream\//.test(source) || !target.startsWith('arn:aws:sqs:'))
      throw new Error(
        `${label}: expected a DynamoDB stream to an SQS queue, got ${source} → ${target}`,
      );
    calls.push(...streamReads(role, source, label));
    // Its target: one SendMessage per record (Pipes user guide, "Amazon SQS as a target").
    calls.push({
      principal: role,
      action: 'sqs:SendMessage',
      resource: target,
      context: {},
      source: label,
    });
    const parameters = account.resolve(stack, properties.SourceParameters) as
      { DynamoDBStreamParameters?: { DeadLetterConfig?: { Arn?: unknown } } } | undefined;
    calls.push(
      ...deadLetterSend(
        role,
        parameters?.DynamoDBStreamParameters?.DeadLetterConfig?.Arn,
        `${label}, giving a record up`,
      ),
    );
  }
  for (const { stack, logicalId, properties } of account.resourcesOfType('AWS::Events::Rule')) {
    for (const target of (properties.Targets ?? []) as { Arn: unknown }[]) {
      const fn = byRef(stack, target.Arn);
      if (!fn) continue;
      calls.push({
        principal: 'events.amazonaws.com',
        action: 'lambda:InvokeFunction',
        resource: fn.arn,
        context: {
          'aws:SourceArn': String(account.getAtt(stack, logicalId, 'Arn')),
          'aws:SourceAccount': account.accountId,
        },
        source: `EventBridge rule ${logicalId} invokes ${fn.name}`,
      });
    }
  }
  for (const { stack, properties } of account.resourcesOfType(
    'AWS::SecretsManager::RotationSchedule',
  )) {
    const fn = byRef(stack, properties.RotationLambdaARN);
    if (!fn) continue;
    calls.push({
      principal: 'secretsmanager.amazonaws.com',
      action: 'lambda:InvokeFunction',
      resource: fn.arn,
      context: {
        'aws:SourceArn': String(account.resolve(stack, properties.SecretId)),
        'aws:SourceAccount': account.accountId,
      },
      source: `Secrets Manager rotates with ${fn.name}`,
    });
  }
  return calls;
};
