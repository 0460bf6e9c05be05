// The operations Lambda as AppSync calls it: its real handler, adapters and environment, with SQS and Cognito
// mocked (aws-sdk-client-mock) and the data API a small in-memory AppSync. Every admins' field, its refusals, the
// dead-letter archive as a read (no listing hides records from another), and "Redrive all" past one batch and out of
// time.
import {
  AdminCreateUserCommand,
  CognitoIdentityProviderClient,
  UsernameExistsException,
} from '@aws-sdk/client-cognito-identity-provider';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ADMINS_GROUP } from '../../../contract/admins';
import { ledgerKeys } from '../../../contract/spend-budget';
import { startFakeAppSync } from '../../support/worker-fakes';

const QUEUE_URL = 'https://sqs.eu-central-1.amazonaws.com/123456789012/render-queue';
const DLQ_URL = 'https://sqs.eu-central-1.amazonaws.com/123456789012/render-dlq';
const USER_POOL_ID = 'eu-central-1_AbCdEf';

interface Job {
  id: string;
  owner: string;
  compositionId: string;
  status: string;
  errorMessage?: string | null;
  attempts?: number;
  createdAt: string;
  finishedAt?: string | null;
  inputProps: string;
}
interface DeadLetterRecord {
  jobId: string;
  receiveCount: number;
  deadLetteredAt: string;
}

/** The data API's tables as the fake AppSync keeps them. */
const data = {
  jobs: new Map<string, Job>(),
  deadLetters: new Map<string, DeadLetterRecord>(),
  ledger: new Map<
    string,
    { ledgerKey: string; reservedUsd: number; renders: number; version: number }
  >(),
};
const conditionFailed = (field: string) => ({
  data: { [field]: null },
  errors: [
    {
      errorType: 'DynamoDB:ConditionalCheckFailedException',
      message: 'The conditional request failed',
    },
  ],
});

/** Answers the documents the operations function sends, with DynamoDB's conditional semantics. */
const answer = ({ query, variables }: { query: string; variables: Record<string, unknown> }) => {
  const field = /\{\s*(\w+)/.exec(query)?.[1] ?? '';
  const input = (variables.input ?? {}) as Record<string, unknown>;
  switch (field) {
    case 'getJob':
      return { data: { getJob: data.jobs.get(variables.id as string) ?? null } };
    case 'listJobsByStatusAndCreatedAt': {
      const items = [...data.jobs.values()]
        .filter((job) => job.status === variables.status)
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
      return { data: { [field]: { items, nextToken: null } } };
    }
    case 'updateJob': {
      const job = data.jobs.get(input.id as string);
      const expected = /"status":\{"eq":"(\w+)"\}/.exec(JSON.stringify(variables.condition))?.[1];
      if (!job || job.status !== expected) return conditionFailed(field);
      for (const [key, value] of Object.entries(input)) {
        if (value === null) delete (job as unknown as Record<string, unknown>)[key];
        else (job as unknown as Record<string, unknown>)[key] = value;
      }
      return { data: { updateJob: job } };
    }
    case 'getSpendLedger':
      return { data: { getSpendLedger: data.ledger.get(variables.ledgerKey as string) ?? null } };
    case 'listDeadLetterRecords': {
      // DynamoDB's scan: pages of `limit`, the token is where the next page starts.
      const all = [...data.deadLetters.values()];
      const from = Number(variables.nextToken ?? 0);
      const limit = Number(variables.limit ?? 100);
      const items = all.slice(from, from + limit);
      const next = from + limit < all.length ? String(from + limit) : null;
      return { data: { [field]: { items, nextToken: next } } };
    }
    case 'deleteDeadLetterRecord': {
      const record = data.deadLetters.get(input.jobId as string);
      if (!record) return conditionFailed(field);
      data.deadLetters.delete(record.jobId);
      return { data: { [field]: record } };
    }
    case 'createDeadLetterRecord': {
      if (data.deadLetters.has(input.jobId as string)) return conditionFailed(field);
      data.deadLetters.set(input.jobId as string, input as unknown as DeadLetterRecord);
      return { data: { [field]: input } };
    }
    default:
      throw new Error(`The fake AppSync does not answer ${field}`);
  }
};

const NOW = Date.now();
const minutesAgo = (minutes: number) => new Date(NOW - minutes * 60_000).toISOString();

const failedJob = (id: string, extra: Partial<Job> = {}): Job => ({
  id,
  owner: `sub-${id}::sub-${id}`,
  compositionId: 'title-card',
  status: 'FAILED',
  errorMessage: 'The render service gave up after 3 attempts',
  attempts: 3,
  createdAt: minutesAgo(30),
  finishedAt: minutesAgo(20),
  inputProps: '{"title":"secret"}',
  ...extra,
});

const keep = (jobId: string, minutes = 10) =>
  data.deadLetters.set(jobId, { jobId, receiveCount: 3, deadLetteredAt: minutesAgo(minutes) });

// As AppSync passes a user pool caller: the token's claims, and the sub and groups beside them.
const admin = {
  sub: 'admin-sub',
  claims: { sub: 'admin-sub', 'cognito:groups': [ADMINS_GROUP] },
  groups: [ADMINS_GROUP],
};
const user = { sub: 'user-sub', claims: { sub: 'user-sub' }, groups: null };

describe('the operations Lambda', () => {
  const s3 = mockClient(S3Client);
  const sqs = mockClient(SQSClient);
  const cognito = mockClient(CognitoIdentityProviderClient);
  // CloudWatch answers the worker's metrics: the last hour's figures come from them, not from the Job table.
  const cloudWatch = mockClient(CloudWatchClient);
  let appSync: Awaited<ReturnType<typeof startFakeAppSync>>;
  let handler: (typeof import('../../../amplify/functions/operations/handler'))['handler'];
  const context = (remainingMs = () => 30_000) =>
    ({ getRemainingTimeInMillis: remainingMs }) as Pick<Context, 'getRemainingTimeInMillis'>;
  const call = (
    fieldName: string,
    args: Record<string, unknown> = {},
    identity: unknown = admin,
    ctx = context(),
  ) => handler({ fieldName, arguments: args, identity }, ctx);
  const sentJobIds = () =>
    sqs.commandCalls(SendMessageCommand).map((sent) => {
      expect(sent.args[0].input.QueueUrl).toBe(QUEUE_URL);
      return (JSON.parse(sent.args[0].input.MessageBody!) as { jobId: string }).jobId;
    });

  beforeAll(async () => {
    appSync = await startFakeAppSync(answer);
    s3.on(GetObjectCommand).resolves({ Body: { transformToString: async () => '{}' } as never });
    for (const [name, value] of Object.entries({
      AWS_ACCESS_KEY_ID: 'AKIDOPERATIONS',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_SESSION_TOKEN: 'token',
      AWS_REGION: 'eu-central-1',
      AMPLIFY_DATA_DEFAULT_NAME: 'data',
      DATA_GRAPHQL_ENDPOINT: appSync.url,
      DATA_MODEL_INTROSPECTION_SCHEMA_BUCKET_NAME: 'amplify-bucket',
      DATA_MODEL_INTROSPECTION_SCHEMA_KEY: 'modelIntrospectionSchema.json',
      RENDER_QUEUE_URL: QUEUE_URL,
      RENDER_DLQ_URL: DLQ_URL,
      USER_POOL_ID,
      RENDER_CAP: '4',
      RENDER_WORKER_FUNCTION_NAME: 'amplify-x-renderworker-AbC',
      DAILY_BUDGET_USD: '20',
      MONTHLY_BUDGET_USD: '200',
      DAILY_RENDERS_PER_USER: '50',
      RENDER_RESERVE_USD: '0.05',
      POWERTOOLS_DEV: 'false',
    }))
      vi.stubEnv(name, value);
    ({ handler } = await import('../../../amplify/functions/operations/handler'));
  }, 60_000);
  afterAll(async () => {
    vi.unstubAllEnvs();
    s3.restore();
    cloudWatch.restore();
    sqs.restore();
    cognito.restore();
    await appSync.close();
  });
  beforeEach(() => {
    data.jobs.clear();
    data.deadLetters.clear();
    data.ledger.clear();
    sqs.reset();
    cognito.reset();
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
    // Keep the JSON log lines out of the test output.
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });

  it('refuses every admins’ field to a signed-in user outside the admins group, and to a call with no user', async () => {
    for (const field of [
      'getOperationsOverview',
      'listDeadLetters',
      'redriveDeadLetters',
      'discardDeadLetter',
      'inviteUser',
    ])
      for (const identity of [user, null])
        await expect(
          call(field, { messageId: 'job-1', email: 'a@example.com' }, identity),
        ).rejects.toThrow(
          'Not authorized: only members of the admins group may use the Operations view.',
        );
    expect(sqs.calls()).toHaveLength(0);
    expect(cognito.calls()).toHaveLength(0);
  });

  it('gives the overview: queue figures from SQS, dead letters in the DLQ and the archive, jobs, spend', async () => {
    sqs.on(GetQueueAttributesCommand, { QueueUrl: QUEUE_URL }).resolves({
      Attributes: { ApproximateNumberOfMessages: '7', ApproximateNumberOfMessagesNotVisible: '2' },
    });
    sqs.on(GetQueueAttributesCommand, { QueueUrl: DLQ_URL }).resolves({
      Attributes: { ApproximateNumberOfMessages: '1', ApproximateNumberOfMessagesNotVisible: '1' },
    });
    data.jobs.set('failed', failedJob('failed'));
    data.jobs.set('rendering', {
      ...failedJob('rendering'),
      status: 'RENDERING',
      finishedAt: null,
    });
    data.jobs.set('done', { ...failedJob('done'), status: 'SUCCEEDED', errorMessage: null });
    keep('failed');
    data.ledger.set(ledgerKeys.day(NOW), {
      ledgerKey: ledgerKeys.day(NOW),
      reservedUsd: 1.25,
      renders: 3,
      version: 3,
    });

    cloudWatch.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: 'finished_succeeded', Values: [3, 2] },
        { Id: 'finished_failed', Values: [1] },
        { Id: 'finished_cancelled', Values: [] },
        { Id: 'started', Values: [6] },
        { Id: 'cost', Values: [0.4] },
      ],
    });

    const overview = (await call('getOperationsOverview')) as Record<string, unknown>;

    // One request for the worker's metrics, named exactly as the worker emits them.
    const asked = cloudWatch.commandCalls(GetMetricDataCommand).map((sent) => sent.args[0].input);
    expect(asked).toHaveLength(1);
    expect(
      asked[0]!.MetricDataQueries!.map((query) => query.MetricStat!.Metric!.MetricName),
    ).toEqual(['JobsFinished', 'JobsFinished', 'JobsFinished', 'RendersStarted', 'RenderCostUsd']);
    expect(asked[0]!.MetricDataQueries![0]!.MetricStat!.Metric!.Dimensions).toContainEqual({
      Name: 'FunctionName',
      Value: 'amplify-x-renderworker-AbC',
    });

    expect(overview).toMatchObject({
      queueDepth: 7,
      queueInFlight: 2,
      deadLetters: 3,
      rendersInFlight: 1,
      renderCap: 4,
      finishedLastHour: 6,
      failedLastHour: 1,
      failureRateLastHour: 1 / 6,
      spentTodayUsd: 1.25,
      dailyBudgetUsd: 20,
      spentThisMonthUsd: 0,
      monthlyBudgetUsd: 200,
      dailyRendersPerUser: 50,
    });
    // Admins see what failed and why, never the job's props.
    expect(overview.recentFailures).toEqual([
      {
        jobId: 'failed',
        compositionId: 'title-card',
        errorMessage: 'The render service gave up after 3 attempts',
        attempts: 3,
        finishedAt: minutesAgo(20),
      },
    ]);
    expect(JSON.stringify(appSync.requests.map((request) => request.body.query))).not.toMatch(
      /inputProps/,
    );
  });

  it('lists every kept dead letter, newest first, with its job; simultaneous listings each see all of them', async () => {
    for (let index = 0; index < 130; index += 1) {
      data.jobs.set(`job-${index}`, failedJob(`job-${index}`));
      keep(`job-${index}`, 200 - index);
    }

    const [first, second] = (await Promise.all([
      call('listDeadLetters'),
      call('listDeadLetters'),
    ])) as {
      jobId: string;
    }[][];

    // Listing is a read: neither hides records from the other (130 records, the newest 100 shown).
    expect(first).toHaveLength(100);
    expect(second).toEqual(first);
    expect(first![0]).toEqual({
      messageId: 'job-129',
      jobId: 'job-129',
      compositionId: 'title-card',
      jobStatus: 'FAILED',
      errorMessage: 'The render service gave up after 3 attempts',
      receiveCount: 3,
      sentAt: minutesAgo(71),
      body: JSON.stringify({ jobId: 'job-129', receiveCount: 3, deadLetteredAt: minutesAgo(71) }),
    });
    expect(data.deadLetters.size).toBe(130);
    expect(sqs.calls()).toHaveLength(0);
  });

  it('redrives one dead letter: its job QUEUED again and sent to the render queue, the record consumed', async () => {
    data.jobs.set('job-1', failedJob('job-1'));
    keep('job-1');

    const result = await call('redriveDeadLetters', { messageId: 'job-1' });

    expect(result).toEqual({ count: 1, message: 'Job job-1 is queued again.' });
    expect(data.jobs.get('job-1')).toMatchObject({ status: 'QUEUED', attempts: 0 });
    expect(data.jobs.get('job-1')!.errorMessage).toBeUndefined();
    expect(sentJobIds()).toEqual(['job-1']);
    expect(data.deadLetters.has('job-1')).toBe(false);
    // A second click (or another admin) finds nothing to do, and says so.
    await expect(call('redriveDeadLetters', { messageId: 'job-1' })).rejects.toThrow(
      'No dead letter job-1: it was redriven or discarded already. Refresh the list.',
    );
    expect(sentJobIds()).toEqual(['job-1']);
  });

  it('removes a dead letter whose job is no longer FAILED without queueing it, and says why', async () => {
    data.jobs.set('job-1', { ...failedJob('job-1'), status: 'SUCCEEDED' });
    keep('job-1');

    const result = await call('redriveDeadLetters', { messageId: 'job-1' });

    expect(result).toEqual({
      count: 0,
      message:
        'The dead letter was removed; its job was not FAILED any more, so nothing was queued.',
    });
    expect(sentJobIds()).toEqual([]);
  });

  it('keeps the dead letter again when the redrive fails after taking it', async () => {
    data.jobs.set('job-1', failedJob('job-1'));
    keep('job-1');
    sqs.on(SendMessageCommand).rejects(new Error('SQS is down'));

    await expect(call('redriveDeadLetters', { messageId: 'job-1' })).rejects.toThrow('SQS is down');

    expect(data.deadLetters.get('job-1')).toMatchObject({ jobId: 'job-1', receiveCount: 3 });
  });

  it('redrives all of more than one batch, counting queued and removed ones', async () => {
    for (let index = 0; index < 60; index += 1) {
      data.jobs.set(`job-${index}`, failedJob(`job-${index}`));
      keep(`job-${index}`);
    }
    data.jobs.get('job-7')!.status = 'CANCELLED';

    const result = await call('redriveDeadLetters', {});

    expect(result).toEqual({
      count: 59,
      message:
        '59 of 60 dead-lettered job(s) queued again. 1 removed: their jobs were not FAILED any more.',
    });
    expect(new Set(sentJobIds()).size).toBe(59);
    expect(data.deadLetters.size).toBe(0);
  });

  it('stops a "Redrive all" that runs short of time, says how many are left, and finishes on the next call', async () => {
    for (let index = 0; index < 40; index += 1) {
      data.jobs.set(`job-${index}`, failedJob(`job-${index}`));
      keep(`job-${index}`);
    }
    // The Lambda's remaining time falls 0.8 s per redrive: under the 5 s reserve after the 32nd.
    const shortOfTime = context(() => 30_000 - 800 * sqs.commandCalls(SendMessageCommand).length);

    const first = await call('redriveDeadLetters', {}, admin, shortOfTime);

    expect(first).toEqual({
      count: 32,
      message:
        '32 of 32 dead-lettered job(s) queued again. 8 left: the call ran out of time; press "Redrive all" again.',
    });
    expect(data.deadLetters.size).toBe(8);
    const second = await call('redriveDeadLetters', {});
    expect(second).toEqual({ count: 8, message: '8 of 8 dead-lettered job(s) queued again.' });
    expect(new Set(sentJobIds()).size).toBe(40);
  });

  it('discards a dead letter: the record goes, the job stays FAILED, nothing is queued; twice is refused', async () => {
    data.jobs.set('job-1', failedJob('job-1'));
    keep('job-1');
    const written: string[] = [];
    vi.mocked(process.stdout.write).mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });

    expect(await call('discardDeadLetter', { messageId: 'job-1' })).toEqual({
      count: 1,
      message: 'Discarded; job job-1 stays FAILED.',
    });
    expect(data.jobs.get('job-1')!.status).toBe('FAILED');
    expect(data.deadLetters.size).toBe(0);
    expect(sentJobIds()).toEqual([]);
    await expect(call('discardDeadLetter', { messageId: 'job-1' })).rejects.toThrow(
      'No dead letter job-1: it was redriven or discarded already. Refresh the list.',
    );
    // Each call is a JSON line naming the admin, the field and the job it acted on.
    expect(
      written
        .join('')
        .split('\n')
        .filter((text) => text.startsWith('{'))
        .map((text) => JSON.parse(text) as Record<string, unknown>),
    ).toContainEqual(
      expect.objectContaining({
        level: 'INFO',
        service: 'operations',
        message: 'operation done',
        field: 'discardDeadLetter',
        adminSub: 'admin-sub',
        jobId: 'job-1',
      }),
    );
  });

  it('refuses arguments that do not fit, saying what was expected and what came', async () => {
    await expect(call('discardDeadLetter', {})).rejects.toThrow(
      /^discardDeadLetter expects messageId: .*, but got \{\}$/,
    );
    await expect(call('inviteUser', { email: 'not an address' })).rejects.toThrow(
      'inviteUser expects email: email must be an email address, but got {"email":"not an address"}',
    );
  });

  it('invites a person through AdminCreateUser on its own user pool, and says when they have an account', async () => {
    cognito.on(AdminCreateUserCommand).resolves({});

    expect(await call('inviteUser', { email: 'new@example.com' })).toEqual({
      count: 1,
      message: 'Invited new@example.com: Cognito mails a temporary password to sign in with.',
    });
    expect(cognito.commandCalls(AdminCreateUserCommand)[0]!.args[0].input).toEqual({
      UserPoolId: USER_POOL_ID,
      Username: 'new@example.com',
      UserAttributes: [
        { Name: 'email', Value: 'new@example.com' },
        { Name: 'email_verified', Value: 'true' },
      ],
      DesiredDeliveryMediums: ['EMAIL'],
    });

    cognito
      .on(AdminCreateUserCommand)
      .rejects(new UsernameExistsException({ message: 'exists', $metadata: {} }));
    await expect(call('inviteUser', { email: 'old@example.com' })).rejects.toThrow(
      'old@example.com has an account already: they can sign in (or use "Forgot password").',
    );
  });
});
