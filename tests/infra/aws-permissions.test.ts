import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsCallRecorder, queueArnOfUrl, type AwsCall } from '../support/aws-call-recorder';
import { remotionFunctionCallsOf } from '../support/remotion-function-calls';
import {
  objectOwnershipProblem,
  simulateAwsCall,
  type CallVerdict,
} from '../support/simulate-aws-calls';
import { loadSynthesizedAccount, type SynthesizedAccount } from '../support/template-resolver';
import {
  lambdaLogWritesOf,
  recordReconcilerCalls,
  recordRenderWorkerCalls,
  recordVideoUrlCalls,
} from './recorded-function-calls';
import { platformCallsOf, recordSignerKeyRotationCalls } from './recorded-service-calls';
import { recordOperationsCalls } from './recorded-operations-calls';
import { recordRemotionWebhookCalls } from './recorded-webhook-calls';
import { recordIntegratorWebhookCalls } from './recorded-integrator-webhook-calls';
import { recordJobRemoverCalls } from './recorded-job-remover-calls';
import { synthesizeForTests, type SynthesizedBackend } from './synthesized-backend';

/**
 * Every AWS call our functions make, recorded through their real adapters, must be allowed by the
 * synthesized policies (identity policies of the caller; bucket, queue and Lambda resource
 * policies), evaluated by the IAM simulator (@cloud-copilot/iam-simulate), and every ACL a writer
 * sends must be accepted by the target bucket's object ownership. Calls the Remotion render
 * function makes on our behalf come from a table built from Remotion's source and the request the
 * worker actually sent (tests/support/remotion-function-calls.ts); calls AWS services make to run
 * our functions are read from the templates (`platformCallsOf`).
 */

/** A unique key for a call as IAM sees it (duplicates share one simulation). */
const keyOf = (call: AwsCall) =>
  JSON.stringify([call.principal, call.action, call.resource, call.context]);

describe('AWS permissions of every call our functions make', () => {
  let backend: SynthesizedBackend;
  let account: SynthesizedAccount;
  const calls: AwsCall[] = [];
  const callers = new Map<string, string>(); // principal ARN → who it is
  const verdicts = new Map<string, CallVerdict>();
  /** Calls the operations function must be refused (its neighbours'), with their verdicts. */
  const forbiddenToOperations: CallVerdict[] = [];
  /** Calls the remove-job function must be refused, with their verdicts. */
  const forbiddenToRemover: CallVerdict[] = [];
  /** Direct table calls the render worker must be refused (its Job writes go through AppSync), with their verdicts. */
  const forbiddenToWorker: CallVerdict[] = [];
  let reconcilerFound = false;
  let reconcilerProblem: string | undefined;
  const expected = {
    renderQueueArn: '',
    wakeQueueArn: '',
    deadLetterQueueArn: '',
    remotionFunctionArn: '',
    webhookSecretArn: '',
    integratorWebhookQueueArn: '',
  };

  beforeAll(async () => {
    backend = synthesizeForTests();
    account = loadSynthesizedAccount(backend.outDir);
    const recorder = createAwsCallRecorder();
    const worker = await recordRenderWorkerCalls(account, recorder);
    const videoUrl = await recordVideoUrlCalls(account, recorder);
    const reconciler = await recordReconcilerCalls(account, recorder);
    const webhook = await recordRemotionWebhookCalls(account, recorder);
    const operations = await recordOperationsCalls(account, recorder);
    const integratorWebhooks = await recordIntegratorWebhookCalls(account, recorder);
    const remover = await recordJobRemoverCalls(account, recorder);
    expected.integratorWebhookQueueArn = integratorWebhooks.queueArn;
    reconcilerFound = reconciler !== undefined;
    reconcilerProblem = reconciler?.problem;
    // Last: the fake signer account mocks the IAM and Secrets Manager client classes while it runs.
    const rotation = await recordSignerKeyRotationCalls(
      account,
      recorder,
      videoUrl.fn.environment.VIDEO_URL_SIGNER_SECRET_ARN ?? '',
    );
    const renderFunction = account.functionNamed(worker.env.REMOTION_FUNCTION_NAME);
    expected.renderQueueArn = queueArnOfUrl(worker.env.RENDER_QUEUE_URL);
    expected.deadLetterQueueArn = queueArnOfUrl(worker.env.RENDER_DLQ_URL ?? '');
    expected.wakeQueueArn = webhook.queueArn;
    expected.remotionFunctionArn = renderFunction.arn;
    expected.webhookSecretArn = worker.env.REMOTION_WEBHOOK_SECRET_ARN ?? '';
    calls.push(
      ...recorder.calls,
      ...platformCallsOf(account),
      ...remotionFunctionCallsOf({
        payload: worker.startPayload,
        renderId: worker.renderId,
        renderFunction,
        account,
      }),
      ...lambdaLogWritesOf(account, renderFunction),
    );
    callers.set(worker.fn.roleArn, 'render worker');
    callers.set(videoUrl.fn.roleArn, 'video-url function');
    if (reconciler) callers.set(reconciler.fn.roleArn, 'job reconciler');
    callers.set(webhook.fn.roleArn, 'remotion-webhook function');
    callers.set(operations.fn.roleArn, 'operations function');
    callers.set(integratorWebhooks.api.roleArn, 'webhook-api function');
    callers.set(remover.fn.roleArn, 'remove-job function');
    callers.set(integratorWebhooks.fanout.roleArn, 'webhook-fanout function');
    callers.set(integratorWebhooks.delivery.roleArn, 'webhook-delivery function');
    // The batch-progress function reads the Job stream too: its stream poller's calls come from platformCallsOf.
    const batchProgress = account.functions().find((fn) => fn.amplifyName === 'batch-progress');
    if (batchProgress) callers.set(batchProgress.roleArn, 'batch-progress function');
    callers.set(rotation.fn.roleArn, 'signer-key rotation function');
    const [pipe] = account.resourcesOfType('AWS::Pipes::Pipe');
    if (pipe)
      callers.set(String(account.resolve(pipe.stack, pipe.properties.RoleArn)), 'job stream pipe');
    callers.set('events.amazonaws.com', 'EventBridge (schedules)');
    callers.set('secretsmanager.amazonaws.com', 'Secrets Manager (rotation)');
    callers.set(renderFunction.roleArn, 'Remotion render function');
    callers.set(videoUrl.signerArn, 'video URL signer (IAM user)');
    callers.set('anonymous', "anonymous (Remotion's Chromium)");
    callers.set('cloudfront.amazonaws.com', "CloudFront (serving Remotion's site)");
    for (const call of calls) {
      if (call.needsNoPermission || verdicts.has(keyOf(call))) continue;
      verdicts.set(keyOf(call), await simulateAwsCall(account, call));
    }
    for (const call of operations.forbidden)
      forbiddenToOperations.push(await simulateAwsCall(account, call));
    for (const call of remover.forbidden)
      forbiddenToRemover.push(await simulateAwsCall(account, call));
    const tableArn = (name: string) =>
      `arn:aws:dynamodb:${account.region}:${account.accountId}:table/${name}`;
    const jobTable = tableArn(worker.env.JOB_TABLE_NAME);
    const slotTable = tableArn(worker.env.RENDER_SLOT_TABLE_NAME);
    const workerForbidden: [string, string, string][] = [
      ['dynamodb:PutItem', jobTable, 'write a job past AppSync (no subscription would see it)'],
      ['dynamodb:UpdateItem', jobTable, 'update a job past AppSync'],
      ['dynamodb:DeleteItem', jobTable, 'delete a job'],
      ['dynamodb:Scan', jobTable, 'scan the Job table'],
      ['dynamodb:Query', `${jobTable}/index/jobsByOwnerAndCreatedAt`, "query an owner's jobs"],
      ['dynamodb:Scan', slotTable, 'scan every slot (the reconciler lists them through AppSync)'],
      ['dynamodb:UpdateItem', slotTable, 'change a slot in place'],
      ['dynamodb:GetItem', tableArn('Batch-x-NONE'), 'read other tables'],
    ];
    for (const [action, resource, what] of workerForbidden)
      forbiddenToWorker.push(
        await simulateAwsCall(account, {
          principal: worker.fn.roleArn,
          action,
          resource,
          context: {},
          source: `render worker must not ${what}`,
        }),
      );
  });

  afterAll(() => {
    if (backend) rmSync(backend.outDir, { recursive: true, force: true });
  });

  const callsOf = (caller: string) =>
    calls.filter((call) => callers.get(call.principal) === caller);
  /** Why each refused call of `caller` was refused, once per distinct call. */
  const deniedOf = (caller: string) => [
    ...new Set(
      callsOf(caller)
        .filter((call) => !call.needsNoPermission)
        .map((call) => verdicts.get(keyOf(call))!)
        .filter((verdict) => !verdict.allowed)
        .map((verdict) => verdict.explanation),
    ),
  ];
  const has = (caller: string, action: string, resource: string | RegExp) =>
    callsOf(caller).some(
      (call) =>
        call.action === action &&
        (typeof resource === 'string' ? call.resource === resource : resource.test(call.resource)),
    );

  it('records the calls of every adapter, each from a known caller', () => {
    // Guards the recording itself: a stub that stopped seeing calls would make every check pass.
    expect(calls.filter((call) => !callers.has(call.principal)).map((call) => call.source)).toEqual(
      [],
    );
    const worker = 'render worker';
    expect(has(worker, 'sqs:ChangeMessageVisibility', expected.renderQueueArn)).toBe(true);
    expect(has(worker, 'sqs:ChangeMessageVisibility', expected.deadLetterQueueArn)).toBe(true);
    expect(has(worker, 'sqs:SendMessage', expected.renderQueueArn)).toBe(true);
    expect(has(worker, 'lambda:InvokeFunction', expected.remotionFunctionArn)).toBe(true);
    expect(
      has(worker, 's3:GetObject', /^arn:aws:s3:::remotionlambda-.*\/renders\/.*\/progress\.json$/),
    ).toBe(true);
    expect(
      has(worker, 's3:PutObjectAcl', /^arn:aws:s3:::remotionlambda-.*\/renders\/.*\/cancel\.json$/),
    ).toBe(true);
    expect(has(worker, 'appsync:GraphQL', /\/types\/Mutation\/fields\/updateJob$/)).toBe(true);
    expect(expected.webhookSecretArn).toMatch(/:secret:/);
    expect(has(worker, 'secretsmanager:GetSecretValue', expected.webhookSecretArn)).toBe(true);
    expect(expected.wakeQueueArn).toMatch(/RenderWakeQueue/);
    expect(expected.wakeQueueArn).not.toBe(expected.renderQueueArn);
    expect(has('remotion-webhook function', 'sqs:SendMessage', expected.wakeQueueArn)).toBe(true);
    expect(has(worker, 'sqs:ReceiveMessage', expected.wakeQueueArn)).toBe(true);
    expect(
      has('remotion-webhook function', 'secretsmanager:GetSecretValue', expected.webhookSecretArn),
    ).toBe(true);
    expect(has('video-url function', 'dynamodb:GetItem', /:table\/Job-/)).toBe(true);
    expect(has('video-url function', 'secretsmanager:GetSecretValue', /:secret:/)).toBe(true);
    expect(
      has('video URL signer (IAM user)', 's3:GetObject', /\/renders\/sub-1\/job-1\.mp4$/),
    ).toBe(true);
    expect(has('Remotion render function', 's3:PutObject', /\/renders\/sub-1\/job-1\.mp4$/)).toBe(
      true,
    );
    expect(has('signer-key rotation function', 'iam:CreateAccessKey', /:user\//)).toBe(true);
    expect(has('signer-key rotation function', 'iam:DeleteAccessKey', /:user\//)).toBe(true);
    expect(has('signer-key rotation function', 'secretsmanager:PutSecretValue', /:secret:/)).toBe(
      true,
    );
    expect(has(worker, 'sqs:ReceiveMessage', expected.deadLetterQueueArn)).toBe(true);
    expect(has('Secrets Manager (rotation)', 'lambda:InvokeFunction', /:function:/)).toBe(true);
    if (reconcilerFound && !reconcilerProblem) {
      expect(has('job reconciler', 'sqs:SendMessage', expected.renderQueueArn)).toBe(true);
      expect(has('job reconciler', 'appsync:GraphQL', /\/fields\/deleteRenderSlot$/)).toBe(true);
    }
  });

  it('allows every call the render worker makes (job queue, Remotion client, Amplify data, AppSync, its table reads and slots)', () => {
    const worker = 'render worker';
    expect(has(worker, 'dynamodb:GetItem', /:table\/Job-[^/]+$/)).toBe(true);
    expect(
      has(worker, 'dynamodb:Query', /:table\/Job-[^/]+\/index\/jobsByStatusAndCreatedAt$/),
    ).toBe(true);
    for (const action of ['dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:DeleteItem'])
      expect(has(worker, action, /:table\/RenderSlot-[^/]+$/), action).toBe(true);
    expect(deniedOf(worker)).toEqual([]);
  });

  it('refuses the render worker any direct write to the Job table, other indexes, slot scans and other tables', () => {
    expect(forbiddenToWorker).toHaveLength(8);
    expect(
      forbiddenToWorker.filter((verdict) => verdict.allowed).map((verdict) => verdict.call.source),
    ).toEqual([]);
  });

  it('allows every call the job reconciler makes (job store, job queue), if the backend has one', () => {
    expect(reconcilerProblem).toBeUndefined();
    expect(deniedOf('job reconciler')).toEqual([]);
  });

  it('allows every call the remotion-webhook function makes (its secret, a wake-up on the wake-up queue), and no send to the render queue', async () => {
    expect(deniedOf('remotion-webhook function')).toEqual([]);
    const webhookRole = [...callers].find(([, name]) => name === 'remotion-webhook function')![0];
    const verdict = await simulateAwsCall(account, {
      principal: webhookRole,
      action: 'sqs:SendMessage',
      resource: expected.renderQueueArn,
      context: {},
      source: 'a start the webhook must never send',
    });
    expect(verdict.allowed).toBe(false);
  });

  it("allows every call the operations function makes (queue counts, a redrive's send, the data API, invitations, the worker's metrics)", () => {
    const ops = 'operations function';
    expect(has(ops, 'sqs:GetQueueAttributes', expected.renderQueueArn)).toBe(true);
    expect(has(ops, 'sqs:GetQueueAttributes', expected.deadLetterQueueArn)).toBe(true);
    expect(has(ops, 'sqs:SendMessage', expected.renderQueueArn)).toBe(true);
    expect(has(ops, 'cloudwatch:GetMetricData', '*')).toBe(true);
    expect(has(ops, 'cognito-idp:AdminCreateUser', /:userpool\//)).toBe(true);
    for (const field of [
      'Query/fields/listDeadLetterRecords',
      'Mutation/fields/deleteDeadLetterRecord',
      'Mutation/fields/updateJob',
      'Query/fields/getSpendLedger',
    ])
      expect(has(ops, 'appsync:GraphQL', new RegExp(`/types/${field}$`))).toBe(true);
    expect(
      has('render worker', 'appsync:GraphQL', /\/types\/Mutation\/fields\/createDeadLetterRecord$/),
    ).toBe(true);
    expect(deniedOf(ops)).toEqual([]);
    expect(deniedOf('render worker')).toEqual([]);
  });

  it("refuses the operations function its neighbours' calls (the DLQ, live work, the Job table, videos, admins)", () => {
    expect(forbiddenToOperations.length).toBeGreaterThanOrEqual(10);
    expect(
      forbiddenToOperations
        .filter((verdict) => verdict.allowed)
        .map((verdict) => verdict.call.source),
    ).toEqual([]);
  });

  it('allows every call the webhook functions make, each only its own (tables, the webhook queue, the key)', () => {
    const queue = expected.integratorWebhookQueueArn;
    expect(queue).toMatch(/^arn:aws:sqs:/);
    // Guards the recording: each function's characteristic calls were seen.
    expect(has('webhook-api function', 'dynamodb:PutItem', /:table\/WebhookSecret-/)).toBe(true);
    expect(
      has(
        'webhook-api function',
        'dynamodb:Query',
        /:table\/WebhookEndpoint-.*\/index\/webhookEndpointsByOwner$/,
      ),
    ).toBe(true);
    expect(has('webhook-api function', 'sqs:SendMessage', queue)).toBe(true);
    expect(
      has('webhook-fanout function', 'dynamodb:Query', /\/index\/webhookEndpointsByOwner$/),
    ).toBe(true);
    expect(has('webhook-fanout function', 'sqs:SendMessage', queue)).toBe(true);
    // Batches' ends reach the fan-out from the Batch stream; job endings reach the Job stream's one Lambda reader,
    // the batch-progress function, which queues them with the fan-out's code. Each recorded ending queued one.
    expect(
      has('webhook-fanout function', 'dynamodb:GetRecords', /:table\/Batch-.*\/stream\//),
    ).toBe(true);
    expect(
      callsOf('webhook-fanout function').filter(
        (call) => call.action === 'sqs:SendMessage' && call.resource === queue,
      ),
    ).toHaveLength(1);
    expect(has('batch-progress function', 'dynamodb:GetRecords', /:table\/Job-.*\/stream\//)).toBe(
      true,
    );
    expect(
      has('batch-progress function', 'dynamodb:Query', /\/index\/webhookEndpointsByOwner$/),
    ).toBe(true);
    expect(
      callsOf('batch-progress function').filter(
        (call) => call.action === 'sqs:SendMessage' && call.resource === queue,
      ),
    ).toHaveLength(1);
    expect(has('webhook-delivery function', 'dynamodb:PutItem', /:table\/WebhookDelivery-/)).toBe(
      true,
    );
    expect(has('webhook-delivery function', 'sqs:SendMessage', queue)).toBe(true);
    expect(has('webhook-delivery function', 'sqs:ReceiveMessage', queue)).toBe(true);
    expect(deniedOf('webhook-api function')).toEqual([]);
    expect(deniedOf('webhook-fanout function')).toEqual([]);
    expect(deniedOf('webhook-delivery function')).toEqual([]);
    expect(deniedOf('batch-progress function')).toEqual([]);
  });

  it('denies the webhook functions what they do not need', async () => {
    const api = 'webhook-api function';
    const fanout = 'webhook-fanout function';
    const delivery = 'webhook-delivery function';
    const roleOf = (who: string) => [...callers].find(([, name]) => name === who)![0];
    const secretsTable = calls.find(
      (call) => call.principal === roleOf(api) && /:table\/WebhookSecret-/.test(call.resource),
    )!.resource;
    const keyArn = calls.find(
      (call) => call.principal === roleOf(api) && call.action === 'secretsmanager:GetSecretValue',
    )!.resource;
    const jobTable = calls
      .find((call) => /:table\/Job-.*\/stream\//.test(call.resource))!
      .resource.replace(/\/stream\/.*$/, '');
    const batchTable = calls
      .find((call) => /:table\/Batch-.*\/stream\//.test(call.resource))!
      .resource.replace(/\/stream\/.*$/, '');
    const progress = 'batch-progress function';
    const jobStream = calls.find((call) =>
      /:table\/Job-.*\/stream\//.test(call.resource),
    )!.resource;
    const refused: [string, string, string][] = [
      // Job endings come through the Job stream's one Lambda reader: the fan-out cannot read that stream (a third
      // reader of its shards), and the reader holds no signing secret either.
      [fanout, 'dynamodb:GetRecords', jobStream],
      [progress, 'dynamodb:GetItem', secretsTable],
      [progress, 'secretsmanager:GetSecretValue', keyArn],
      [progress, 'dynamodb:PutItem', secretsTable],
      // The fan-out reads the Batch stream, never the table, and writes no batch.
      [fanout, 'dynamodb:GetItem', batchTable],
      [fanout, 'dynamodb:UpdateItem', batchTable],
      // The fan-out never reads signing secrets or the key that seals them.
      [fanout, 'dynamodb:GetItem', secretsTable],
      [fanout, 'secretsmanager:GetSecretValue', keyArn],
      // The delivery function cannot change or delete secrets, and no webhook function touches jobs.
      [delivery, 'dynamodb:PutItem', secretsTable],
      [delivery, 'dynamodb:DeleteItem', secretsTable],
      [api, 'dynamodb:UpdateItem', jobTable],
      [delivery, 'dynamodb:GetItem', jobTable],
      [fanout, 'dynamodb:Scan', jobTable],
      [api, 'sqs:SendMessage', expected.renderQueueArn],
      [delivery, 'sqs:SendMessage', expected.renderQueueArn],
    ];
    for (const [who, action, resource] of refused) {
      const verdict = await simulateAwsCall(account, {
        principal: roleOf(who),
        action,
        resource,
        context: {},
        source: 'a call the webhook functions must never make',
      });
      expect(verdict.allowed, `${who} ${action} ${resource}`).toBe(false);
    }
  });

  it("allows every call the remove-job function makes (the Job item, the job's outputs, Remotion's render state)", () => {
    const remover = 'remove-job function';
    expect(has(remover, 'dynamodb:GetItem', /:table\/Job-/)).toBe(true);
    expect(has(remover, 'dynamodb:UpdateItem', /:table\/Job-/)).toBe(true);
    expect(has(remover, 'dynamodb:DeleteItem', /:table\/Job-/)).toBe(true);
    expect(has(remover, 's3:DeleteObject', /\/renders\/sub-1\/job-1\.webm$/)).toBe(true);
    expect(has(remover, 's3:DeleteObject', /\/renders\/sub-1\/job-1\.poster\.jpeg$/)).toBe(true);
    expect(has(remover, 's3:ListBucket', /^arn:aws:s3:::remotionlambda-[^/]+$/)).toBe(true);
    expect(
      has(
        remover,
        's3:DeleteObject',
        /^arn:aws:s3:::remotionlambda-.*\/renders\/render-1\/progress\.json$/,
      ),
    ).toBe(true);
    expect(deniedOf(remover)).toEqual([]);
  });

  it('refuses the remove-job function everything else (scans, other tables, reading or writing videos, other prefixes, queues)', () => {
    expect(forbiddenToRemover.length).toBeGreaterThanOrEqual(10);
    expect(
      forbiddenToRemover.filter((verdict) => verdict.allowed).map((verdict) => verdict.call.source),
    ).toEqual([]);
  });

  it('allows every call the video-url function makes', () => {
    expect(deniedOf('video-url function')).toEqual([]);
  });

  it("allows the browser's GET of a video URL, signed with the signer user's key", () => {
    expect(deniedOf('video URL signer (IAM user)')).toEqual([]);
  });

  it('allows every call the signer-key rotation function makes (IAM keys, the secret)', () => {
    expect(deniedOf('signer-key rotation function')).toEqual([]);
  });

  it('lets every stream reader hand a record it gives up to its dead-letter queue, with the role it reads as', () => {
    // The sends are read from the templates (platformCallsOf): each reader's failure destination, sent to with the
    // reader's own role, as Lambda and Pipes do. Local mode sends them with no IAM at all.
    const fanoutDlq = /:data-WebhookFanoutDeadLetterQueue[0-9A-F]{8}$/;
    expect(has('batch-progress function', 'sqs:SendMessage', fanoutDlq)).toBe(true);
    expect(has('webhook-fanout function', 'sqs:SendMessage', fanoutDlq)).toBe(true);
    expect(deniedOf('batch-progress function')).toEqual([]);
    expect(deniedOf('webhook-fanout function')).toEqual([]);
    const pipe = 'job stream pipe';
    expect(has(pipe, 'dynamodb:GetRecords', /:table\/Job-.*\/stream\//)).toBe(true);
    expect(has(pipe, 'sqs:SendMessage', expected.renderQueueArn)).toBe(true);
    expect(has(pipe, 'sqs:SendMessage', /:data-JobStreamPipeDeadLetterQueue[0-9A-F]{8}$/)).toBe(
      true,
    );
    expect(deniedOf(pipe)).toEqual([]);
  });

  it('refuses a stream reader the dead-letter queues of the others', async () => {
    const roleOf = (who: string) => [...callers].find(([, name]) => name === who)![0];
    const dlqOf = (who: string) =>
      callsOf(who).find((call) => call.source.endsWith('giving a record up'))!.resource;
    const pipeDlq = dlqOf('job stream pipe');
    const fanoutDlq = dlqOf('batch-progress function');
    for (const [who, resource] of [
      ['batch-progress function', pipeDlq],
      ['webhook-fanout function', pipeDlq],
      ['job stream pipe', fanoutDlq],
    ] as const) {
      const verdict = await simulateAwsCall(account, {
        principal: roleOf(who),
        action: 'sqs:SendMessage',
        resource,
        context: {},
        source: 'not granted',
      });
      expect(verdict.allowed, `${who} sending to ${resource}`).toBe(false);
    }
  });

  it('lets the services that invoke our functions do so (schedules, secret rotation)', () => {
    expect(deniedOf('EventBridge (schedules)')).toEqual([]);
    expect(deniedOf('Secrets Manager (rotation)')).toEqual([]);
  });

  it('allows every call the Remotion render function makes on our behalf, and its site reads', () => {
    expect(deniedOf('Remotion render function')).toEqual([]);
    expect(deniedOf("anonymous (Remotion's Chromium)")).toEqual([]);
    expect(deniedOf("CloudFront (serving Remotion's site)")).toEqual([]);
  });

  it('sends only ACLs that the target bucket’s object ownership accepts', () => {
    const writes = calls.filter((call) => call.acl !== undefined && call.action === 's3:PutObject');
    // The cancel file and Remotion's own state carry ACLs: the check must see them.
    expect(writes.length).toBeGreaterThan(0);
    const problems = [...new Set(writes.map((call) => objectOwnershipProblem(account, call)))];
    expect(problems.filter((problem) => problem !== null)).toEqual([]);
  });

  it('reports how many recorded calls were simulated per caller', () => {
    const counts: Record<string, { simulated: number; distinct: number; notSimulated: number }> =
      {};
    for (const call of calls) {
      const caller = callers.get(call.principal)!;
      const count = (counts[caller] ??= { simulated: 0, distinct: 0, notSimulated: 0 });
      if (call.needsNoPermission) count.notSimulated += 1;
      else count.simulated += 1;
    }
    for (const caller of Object.keys(counts)) {
      counts[caller]!.distinct = new Set(
        callsOf(caller)
          .filter((call) => !call.needsNoPermission)
          .map(keyOf),
      ).size;
    }
    console.info(
      `IAM-simulated AWS calls per caller${reconcilerFound ? '' : ' (no job reconciler in the templates)'}:\n` +
        Object.entries(counts)
          .map(
            ([caller, { simulated, distinct, notSimulated }]) =>
              `  ${caller}: ${simulated} calls simulated (${distinct} distinct)${notSimulated ? `, ${notSimulated} needing no permission` : ''}`,
          )
          .join('\n'),
    );
    expect(Object.keys(counts).length).toBeGreaterThanOrEqual(4);
  });
});
