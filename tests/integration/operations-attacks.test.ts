// The admin surface, closed sign-up and the spend guard against one local stack (stub renderer, cognito-local with
// the pre-sign-up trigger, the AppSync simulator behind its gate, DynamoDB Local, fauxqs): beside attacks.test.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CognitoIdentityProviderClient,
  SignUpCommand,
  UserLambdaValidationException,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppSyncSpendLedger } from '../../amplify/functions/render-worker/appsync-spend-ledger';
import { createDynamoSpendLedger } from '../../amplify/functions/render-worker/dynamo-spend-ledger';
import { createSpendGuard } from '../../amplify/functions/render-worker/spend-guard';
import { LOCAL_AWS_CREDENTIALS } from '../../local/dynamodb/dynamodb-local';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { dailyQuotaMessage, ledgerKeys } from '../../contract/spend-budget';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { createSigV4GraphqlTransport } from '../../local/worker/sigv4-graphql-transport';
import {
  createJobAs,
  createLocalUser,
  openJobTable,
  type LocalUser,
} from '../support/local-stack-session';

const DAILY_RENDERS_PER_USER = 2;
const ADMIN = { email: 'ada@example.com', password: 'Ada-pass-12345' };

let dataDir: string;
let stack: LocalStack;
let admin: LocalUser;
let user: LocalUser;
const stackLog: string[] = [];

type GraphqlBody = {
  data?: Record<string, unknown> | null;
  errors?: { message: string; errorType?: string }[];
};

async function postGraphql(
  token: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GraphqlBody> {
  const response = await fetch(stack.dataPlane.graphql.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: token },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphqlBody;
}

/** Every admins' query and mutation of amplify/data/operations-schema.ts, as a client would send it. */
const ADMIN_OPERATIONS: { name: string; query: string; variables?: Record<string, unknown> }[] = [
  {
    name: 'getOperationsOverview',
    query:
      'query { getOperationsOverview { queueDepth rendersInFlight renderCap spentTodayUsd recentFailures { jobId } } }',
  },
  { name: 'listDeadLetters', query: 'query { listDeadLetters { messageId jobId } }' },
  { name: 'redriveDeadLetters (all)', query: 'mutation { redriveDeadLetters { count message } }' },
  {
    name: 'redriveDeadLetters (one)',
    query: 'mutation R($id: String) { redriveDeadLetters(messageId: $id) { count message } }',
    variables: { id: 'some-message' },
  },
  {
    name: 'discardDeadLetter',
    query: 'mutation D($id: String!) { discardDeadLetter(messageId: $id) { count message } }',
    variables: { id: 'some-message' },
  },
  {
    name: 'inviteUser',
    query: 'mutation I($email: AWSEmail!) { inviteUser(email: $email) { count message } }',
    variables: { email: 'mallory-friend@example.com' },
  },
];

async function waitForStatus(jobId: string, statuses: string[]) {
  const table = openJobTable(stack);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const job = await table.get(jobId);
    if (job && statuses.includes(job.status ?? '')) return job;
    if (Date.now() > deadline)
      throw new Error(
        `job ${jobId} never became ${statuses.join('/')}: ${JSON.stringify(job)}\n${stackLog.slice(-20).join('\n')}`,
      );
    await new Promise((done) => setTimeout(done, 100));
  }
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'render-studio-operations-'));
  stack = await startLocalStack({
    dataDir,
    renderer: 'stub',
    stubRenderMs: [100, 200],
    signUpAllowList: 'example.com,alice@other.org',
    spendBudgets: { dailyRendersPerUser: DAILY_RENDERS_PER_USER },
    reconciler: { everyMs: 0 },
    log: (line) => stackLog.push(line),
  });
  await stack.dataPlane.cognito.createUser(ADMIN.email, ADMIN.password, { admin: true });
  admin = {
    email: ADMIN.email,
    idToken: (await stack.dataPlane.cognito.signIn(ADMIN.email, ADMIN.password)).idToken,
  };
  user = await createLocalUser(stack, 'mallory@example.com');
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('the admin surface', () => {
  it.each(ADMIN_OPERATIONS)(
    'refuses $name to a signed-in user outside the admins group',
    async ({ query, variables }) => {
      const body = await postGraphql(user.idToken, query, variables);
      expect(body.errors?.map((error) => error.errorType ?? error.message).join(' ')).toMatch(
        /Unauthorized/,
      );
      expect(Object.values(body.data ?? {}).filter((value) => value !== null)).toEqual([]);
    },
  );

  // The dead-letter archive is an IAM-only model: no user pool token, an admin's neither, reads or writes it.
  it.each([
    { name: 'listDeadLetterRecords', query: 'query { listDeadLetterRecords { items { jobId } } }' },
    {
      name: 'createDeadLetterRecord',
      query:
        'mutation { createDeadLetterRecord(input: { jobId: "j", receiveCount: 1, deadLetteredAt: "2026-01-01T00:00:00Z" }) { jobId } }',
    },
    {
      name: 'deleteDeadLetterRecord',
      query: 'mutation { deleteDeadLetterRecord(input: { jobId: "j" }) { jobId } }',
    },
  ])('refuses $name to users and admins alike (IAM only)', async ({ query }) => {
    for (const token of [user.idToken, admin.idToken]) {
      const body = await postGraphql(token, query);
      expect(body.errors?.map((error) => error.errorType ?? error.message).join(' ')).toMatch(
        /Unauthorized/,
      );
      expect(Object.values(body.data ?? {}).filter((value) => value !== null)).toEqual([]);
    }
  });

  it('answers an admin with the figures, spend against budget and failures without props', async () => {
    const body = await postGraphql(admin.idToken, ADMIN_OPERATIONS[0]!.query);
    expect(body.errors).toBeUndefined();
    expect(body.data?.getOperationsOverview).toMatchObject({
      queueDepth: expect.any(Number),
      rendersInFlight: expect.any(Number),
      renderCap: expect.any(Number),
      spentTodayUsd: expect.any(Number),
    });
    // The schema has no way to ask for another user's props or video from here.
    const asked = await postGraphql(
      admin.idToken,
      'query { getOperationsOverview { recentFailures { inputProps } } }',
    );
    expect(asked.errors?.[0]?.message).toMatch(/inputProps/);
  });

  it("still refuses an admin another user's job through the models (owner-only stays owner-only)", async () => {
    const jobId = await createJobAs(stack, user, { title: 'Not for admins' });
    const body = await postGraphql(
      admin.idToken,
      'query G($id: ID!) { getJob(id: $id) { id inputProps } }',
      { id: jobId },
    );
    expect(body.data?.getJob ?? null).toBeNull();
    await waitForStatus(jobId, ['SUCCEEDED', 'FAILED']);
  });
});

describe('closed sign-up (pre-sign-up trigger run by cognito-local)', () => {
  const signUp = (email: string) =>
    new CognitoIdentityProviderClient({
      endpoint: stack.dataPlane.cognito.endpoint,
      region: stack.dataPlane.cognito.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }).send(
      new SignUpCommand({
        ClientId: stack.dataPlane.cognito.userPoolClientId,
        Username: email,
        Password: 'Signup-pass-1234',
        UserAttributes: [{ Name: 'email', Value: email }],
      }),
    );

  it('refuses a sign-up from a domain the allow list does not name, saying why', async () => {
    const refused = await signUp('eve@evil.example.org').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(UserLambdaValidationException);
    expect((refused as Error).message).toMatch(
      /PreSignUp failed with error Sign-up is open only to addresses/,
    );
  });

  it('lets an allowed domain and an allowed single address sign up', async () => {
    await expect(signUp('newcomer@example.com')).resolves.toMatchObject({ UserConfirmed: false });
    await expect(signUp('alice@other.org')).resolves.toMatchObject({ UserConfirmed: false });
    await expect(signUp('bob@other.org')).rejects.toBeInstanceOf(UserLambdaValidationException);
  });
});

describe('the spend guard', () => {
  it('fails a render past the daily quota with a message naming the quota and when it resets', async () => {
    const quotaUser = await createLocalUser(stack, 'quota@example.com');
    for (let index = 0; index < DAILY_RENDERS_PER_USER; index += 1) {
      const jobId = await createJobAs(stack, quotaUser, { title: `Within quota ${index}` });
      expect((await waitForStatus(jobId, ['SUCCEEDED', 'FAILED'])).status).toBe('SUCCEEDED');
    }
    const refusedId = await createJobAs(stack, quotaUser, { title: 'Past the quota' });
    const refused = await waitForStatus(refusedId, ['SUCCEEDED', 'FAILED']);
    expect(refused.status).toBe('FAILED');
    expect(refused.errorMessage).toBe(
      dailyQuotaMessage(DAILY_RENDERS_PER_USER, Date.parse(refused.finishedAt!)),
    );
  });

  it('holds the daily budget when many renders start at once (one atomic write per entry, in the ledger table)', async () => {
    // A day of its own, so the stack's renders do not count against this budget.
    const day = Date.parse('2031-01-15T12:00:00Z');
    const guard = createSpendGuard(
      createDynamoSpendLedger(
        new DynamoDBClient({
          endpoint: stack.dataPlane.dynamodb.endpoint,
          region: stack.dataPlane.dynamodb.region,
          credentials: LOCAL_AWS_CREDENTIALS,
        }),
        stack.dataPlane.dynamodb.spendLedgerTableName,
      ),
      { dailyBudgetUsd: 3, monthlyBudgetUsd: 1000, dailyRendersPerUser: 100, renderReserveUsd: 1 },
      { now: () => day },
    );
    const starts = Array.from({ length: 16 }, (_, index) => ({
      id: `race-${index}`,
      owner: `owner-${index % 3}::x`,
    }));
    const answers = await Promise.all(starts.map((job) => guard.admit(job)));
    expect(answers.filter((answer) => answer.admitted)).toHaveLength(3);
    for (const answer of answers.filter((candidate) => !candidate.admitted))
      expect(answer).toMatchObject({ message: expect.stringContaining('DAILY_BUDGET_USD') });
    // Read back through AppSync, as the Operations view reads it: the direct writes keep the model's shape.
    const ledger = createAppSyncSpendLedger(
      createSigV4GraphqlTransport({
        url: stack.dataPlane.graphql.url,
        region: stack.dataPlane.graphql.region,
        credentials: stack.dataPlane.workerCredentials,
      }),
    );
    expect(await ledger.get(ledgerKeys.day(day))).toMatchObject({ reservedUsd: 3, renders: 3 });
    // The refused starts gave back what they had taken: each owner's day counts only its admitted renders.
    const userDays = await Promise.all(
      [0, 1, 2].map((owner) => ledger.get(ledgerKeys.userDay(`owner-${owner}`, day))),
    );
    expect(userDays.reduce((sum, entry) => sum + (entry?.renders ?? 0), 0)).toBe(3);
  }, 60_000);

  it('never lets a user read or write the ledger', async () => {
    const body = await postGraphql(
      user.idToken,
      'query { listSpendLedgers { items { ledgerKey reservedUsd } } }',
    );
    expect(body.errors?.map((error) => error.errorType ?? error.message).join(' ')).toMatch(
      /Unauthorized/,
    );
    const write = await postGraphql(
      admin.idToken,
      'mutation { createSpendLedger(input: { ledgerKey: "day#2031-01-16", reservedUsd: -100, renders: 0, version: 1 }) { ledgerKey } }',
    );
    expect(write.errors?.map((error) => error.errorType ?? error.message).join(' ')).toMatch(
      /Unauthorized/,
    );
  });
});
