// Bad input and attackers against one local stack (stub renderer, real Cognito-local tokens, the AppSync
// simulator behind its gate, DynamoDB Local, the signed output server). What local-flow.test.ts and
// data-plane.test.ts already show (B cannot get, list, cancel or subscribe to A's job; tampered `expires`)
// is not repeated here.
import { createPrivateKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sha256 } from '@aws-crypto/sha256-js';
import {
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  DynamoDBClient,
  GetItemCommand,
  ScanCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { signIn } from 'aws-amplify/auth';
import { generateClient } from 'aws-amplify/data';
import { decodeJwt, SignJWT, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import fc from 'fast-check';
import type { Schema } from '../../amplify/data/resource';
import { readPipelineConfig } from '../../amplify/render-pipeline/config';
import { createUrlSigner, loadOrCreateSecret } from '../../local/outputs/signed-urls';
import { PROJECT_ROOT, startLocalStack, type LocalStack } from '../../local/stack';
import { compositionCatalog } from '../../remotion/catalog';
import { parseAmplifyOutputs } from '../../src/lib/amplify-outputs';
import { configureAmplify } from '../../src/lib/configure-amplify';
import { arbitraryValidProps } from '../support/props-arbitraries';

const USER_A = { email: 'alma@example.com', password: 'Alma-pass-1234' };
const USER_B = { email: 'boris@example.com', password: 'Boris-pass-1234' };
const USER_C = { email: 'cleo@example.com', password: 'Cleo-pass-1234' };
/** Stub renders last this long, so "in flight" is a state a test can rely on for a few seconds. */
const STUB_RENDER_MS = 3000;
const MAX_ACTIVE_JOBS = readPipelineConfig(process.env).maxActiveJobsPerUser;
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

type Job = Schema['Job']['type'];
type Client = ReturnType<typeof generateClient<Schema>>;
type GraphqlError = { message: string; errorType?: string };
type GraphqlBody = { data?: Record<string, unknown> | null; errors?: GraphqlError[] };
type StoredItem = Record<string, AttributeValue>;

let dataDir: string;
let stack: LocalStack;
let dynamo: DynamoDBClient;
const stackLog: string[] = [];
const tokens: Record<'a' | 'b' | 'c', string> = { a: '', b: '', c: '' };
/** A's finished job and B's finished job, made once for the attacks below. */
let victim: Job;
let bobsJob: Job;

// ---------------------------------------------------------------- small factories and helpers

const clientA = (): Client => generateClient<Schema>();
/** A client that sends the given user-pool JWT verbatim as its Authorization header. */
const clientWithToken = (token: string): Client =>
  generateClient<Schema>({ authMode: 'lambda', authToken: token });

const errorText = (result: { errors?: readonly GraphqlError[] | null }) =>
  (result.errors ?? []).map((error) => `${error.errorType ?? ''} ${error.message}`).join('; ');

/** One GraphQL request over plain HTTP, as an attacker would send it. */
async function postGraphql(
  authorization: string | undefined,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<{ status: number; body: GraphqlBody }> {
  const response = await fetch(stack.dataPlane.graphql.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(authorization === undefined ? {} : { authorization }),
    },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as GraphqlBody };
}

const CREATE_JOB = /* GraphQL */ `
  mutation Create($input: CreateJobInput!) {
    createJob(input: $input) {
      id
      owner
    }
  }
`;
const UPDATE_JOB = /* GraphQL */ `
  mutation Update($input: UpdateJobInput!) {
    updateJob(input: $input) {
      id
      owner
    }
  }
`;
const DELETE_JOB = /* GraphQL */ `
  mutation Delete($input: DeleteJobInput!) {
    deleteJob(input: $input) {
      id
      owner
    }
  }
`;
const REMOVE_JOB = /* GraphQL */ `
  mutation Remove($jobId: ID!) {
    removeJob(jobId: $jobId) {
      jobId
      cancelledFirst
    }
  }
`;
const LIST_JOBS = /* GraphQL */ `
  query List($filter: ModelJobFilterInput) {
    listJobs(filter: $filter) {
      items {
        id
        owner
      }
    }
  }
`;

/** The Job item as DynamoDB Local holds it, whatever any client may see. */
async function readStoredJob(id: string): Promise<StoredItem | undefined> {
  const { Item } = await dynamo.send(
    new GetItemCommand({
      TableName: stack.dataPlane.dynamodb.jobTableName,
      Key: { id: { S: id } },
      ConsistentRead: true,
    }),
  );
  return Item;
}

/** Ids of stored jobs with this title: how a refused create (which has no id) is shown to have stored nothing. */
async function findStoredJobsTitled(title: string): Promise<string[]> {
  const { Items = [] } = await dynamo.send(
    new ScanCommand({
      TableName: stack.dataPlane.dynamodb.jobTableName,
      FilterExpression: '#title = :title',
      ExpressionAttributeNames: { '#title': 'title' },
      ExpressionAttributeValues: { ':title': { S: title } },
      ConsistentRead: true,
    }),
  );
  return Items.map((item) => item.id?.S ?? '');
}

/** A title no other job has. */
const uniqueTitle = (what: string) => `${what} ${randomUUID()}`;

const TERMINAL = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

/** Polls the stored job until `accept` holds; fails with the stack's log tail when it never does. */
async function waitForStoredJob(
  id: string,
  accept: (item: StoredItem) => boolean,
  what: string,
): Promise<StoredItem> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const item = await readStoredJob(id);
    if (item && accept(item)) return item;
    if (Date.now() > deadline)
      throw new Error(
        `job ${id} never became ${what}: ${JSON.stringify(item)}\n${stackLog.slice(-15).join('\n')}`,
      );
    await new Promise((done) => setTimeout(done, 100));
  }
}
const waitForTerminal = (id: string) =>
  waitForStoredJob(id, (item) => TERMINAL.includes(item.status?.S ?? ''), 'terminal');

/** Creates a job through the Amplify data client and returns it (fails the test on errors). */
async function createJob(client: Client, compositionId: string, inputProps: unknown) {
  const created = await client.models.Job.create({
    compositionId,
    inputProps: JSON.stringify(inputProps),
  });
  expect(errorText(created)).toBe('');
  return created.data!;
}

// ---------------------------------------------------------------- tokens an attacker can make

/** cognito-local signs every token with one key shipped in its npm package (local mode only). */
const cognitoLocalKey = () =>
  createPrivateKey(
    (
      JSON.parse(
        readFileSync(
          join(PROJECT_ROOT, 'node_modules/cognito-local/lib/keys/cognitoLocal.private.json'),
          'utf8',
        ),
      ) as { pem: string }
    ).pem,
  );

/** B's real id-token claims with some replaced, signed RS256 with `key` under cognito-local's key id. */
async function mintToken(
  overrides: JWTPayload,
  key: ReturnType<typeof createPrivateKey> = cognitoLocalKey(),
) {
  const claims = { ...decodeJwt(tokens.b), ...overrides };
  return await new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: 'CognitoLocal' })
    .sign(key);
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A token from a second user pool of the same cognito-local: real, validly signed, another issuer. */
async function signInToAnotherPool(): Promise<string> {
  const cognito = new CognitoIdentityProviderClient({
    endpoint: stack.dataPlane.cognito.endpoint,
    region: stack.dataPlane.cognito.region,
    credentials: LOCAL_CREDENTIALS,
  });
  const { UserPool } = await cognito.send(
    new CreateUserPoolCommand({ PoolName: 'attacker-pool', UsernameAttributes: ['email'] }),
  );
  const { UserPoolClient } = await cognito.send(
    new CreateUserPoolClientCommand({ UserPoolId: UserPool!.Id!, ClientName: 'attacker' }),
  );
  await cognito.send(
    new AdminCreateUserCommand({
      UserPoolId: UserPool!.Id!,
      Username: USER_B.email,
      MessageAction: 'SUPPRESS',
      TemporaryPassword: USER_B.password,
    }),
  );
  await cognito.send(
    new AdminSetUserPasswordCommand({
      UserPoolId: UserPool!.Id!,
      Username: USER_B.email,
      Password: USER_B.password,
      Permanent: true,
    }),
  );
  const { AuthenticationResult } = await cognito.send(
    new InitiateAuthCommand({
      ClientId: UserPoolClient!.ClientId!,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: USER_B.email, PASSWORD: USER_B.password },
    }),
  );
  cognito.destroy();
  return AuthenticationResult!.IdToken!;
}

/** An IAM Authorization header naming the worker's access key id, signed with a secret that is not the worker's. */
async function signAsWorker(
  secretAccessKey: string,
  request: { path: string; body: string; headers?: Record<string, string> },
): Promise<Record<string, string>> {
  const url = new URL(stack.dataPlane.graphql.url);
  const signer = new SignatureV4({
    credentials: { accessKeyId: stack.dataPlane.workerCredentials.accessKeyId, secretAccessKey },
    region: stack.dataPlane.graphql.region,
    service: 'appsync',
    sha256: Sha256,
  });
  const signed = await signer.sign(
    new HttpRequest({
      method: 'POST',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: request.path,
      headers: { host: url.host, 'content-type': 'application/json', ...request.headers },
      body: request.body,
    }),
  );
  return signed.headers;
}

/** Every kind of bad credential: each must be refused wherever it is presented. */
const BAD_AUTHORIZATIONS: [string, () => Promise<string | undefined>][] = [
  ['no Authorization header', async () => undefined],
  ['a string that is no token', async () => 'let-me-in'],
  ['an expired token', async () => mintToken({ exp: Math.floor(Date.now() / 1000) - 60 })],
  [
    'a token signed with another key',
    async () => mintToken({}, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey),
  ],
  [
    "B's real token with its signature changed",
    async () => {
      const [header, payload, signature] = tokens.b.split('.');
      const flipped = `${signature![0] === 'A' ? 'B' : 'A'}${signature!.slice(1)}`;
      return `${header}.${payload}.${flipped}`;
    },
  ],
  [
    "B's real token with its claims changed to A's (signature kept)",
    async () => {
      const [header, , signature] = tokens.b.split('.');
      return `${header}.${base64url(decodeJwt(tokens.a))}.${signature}`;
    },
  ],
  [
    'an unsigned token (alg none)',
    async () =>
      `${base64url({ alg: 'none', typ: 'JWT', kid: 'CognitoLocal' })}.${base64url(decodeJwt(tokens.b))}.`,
  ],
  [
    'a token from another issuer',
    async () =>
      mintToken({ iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Attacker' }),
  ],
  ['a real token from another user pool', signInToAnotherPool],
  [
    "an IAM signature with the worker's key id and a wrong secret",
    async () =>
      (
        await signAsWorker('wrong-secret', {
          path: '/graphql',
          body: JSON.stringify({ query: '{ listJobs { items { id } } }', variables: {} }),
        })
      ).authorization,
  ],
];

// ---------------------------------------------------------------- the realtime (WebSocket) protocol

type RealtimeMessage = { type: string; id?: string; payload?: unknown };

interface RealtimeConnection {
  messages: RealtimeMessage[];
  /** Starts a subscription; resolves with its `start_ack` or `error`. */
  start(
    id: string,
    query: string,
    variables: Record<string, unknown>,
    auth: Record<string, string>,
  ): Promise<RealtimeMessage>;
  waitFor(accept: (message: RealtimeMessage) => boolean, what: string): Promise<RealtimeMessage>;
  close(): void;
}

/** Opens the AppSync realtime socket with `auth` in the `header-` subprotocol, as the Amplify client does. */
async function connectRealtime(
  auth: Record<string, string>,
): Promise<{ ok: true; connection: RealtimeConnection } | { ok: false; status: number }> {
  const socket = new WebSocket(stack.dataPlane.graphql.realtimeUrl, [
    'graphql-ws',
    `header-${base64url(auth)}`,
  ]);
  socket.on('error', () => undefined);
  const opened = await new Promise<{ ok: true } | { ok: false; status: number }>((done) => {
    socket.once('open', () => done({ ok: true }));
    socket.once('unexpected-response', (request, response) => {
      done({ ok: false, status: response.statusCode ?? 0 });
      request.destroy();
    });
    socket.once('close', () => done({ ok: false, status: 0 }));
  });
  if (!opened.ok) return opened;
  const messages: RealtimeMessage[] = [];
  socket.on('message', (raw: Buffer) =>
    messages.push(JSON.parse(raw.toString()) as RealtimeMessage),
  );
  const waitFor = async (accept: (message: RealtimeMessage) => boolean, what: string) => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const found = messages.find(accept);
      if (found) return found;
      if (Date.now() > deadline)
        throw new Error(`no ${what} on the socket; got ${JSON.stringify(messages)}`);
      await new Promise((done) => setTimeout(done, 20));
    }
  };
  socket.send(JSON.stringify({ type: 'connection_init' }));
  await waitFor((message) => message.type === 'connection_ack', 'connection_ack');
  return {
    ok: true,
    connection: {
      messages,
      waitFor,
      async start(id, query, variables, startAuth) {
        socket.send(
          JSON.stringify({
            id,
            type: 'start',
            payload: {
              data: JSON.stringify({ query, variables }),
              extensions: { authorization: startAuth },
            },
          }),
        );
        return await waitFor(
          (message) => message.id === id && ['start_ack', 'error'].includes(message.type),
          `start_ack or error for ${id}`,
        );
      },
      close: () => socket.close(),
    },
  };
}

const realtimeHost = () => new URL(stack.dataPlane.graphql.url).host;
const userAuth = (token: string | undefined): Record<string, string> => ({
  host: realtimeHost(),
  ...(token === undefined ? {} : { Authorization: token }),
});

/** Job ids (and owners) in the `data` events of a subscription. */
const eventsOf = (connection: RealtimeConnection, id: string) =>
  connection.messages
    .filter((message) => message.id === id && message.type === 'data')
    .map((message) => {
      const data = (message.payload as { data: Record<string, { id: string; owner: string }> })
        .data;
      return Object.values(data)[0]!;
    });

const JOB_SUBSCRIPTION = (name: 'onCreateJob' | 'onUpdateJob' | 'onDeleteJob') => /* GraphQL */ `
  subscription Watch($owner: String, $filter: ModelSubscriptionJobFilterInput) {
    ${name}(owner: $owner, filter: $filter) {
      id
      owner
      status
    }
  }
`;

// ---------------------------------------------------------------- the stack

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'attacks-'));
  stack = await startLocalStack({
    dataDir,
    renderer: 'stub',
    stubRenderMs: [STUB_RENDER_MS, STUB_RENDER_MS],
    // Stub renders cost nothing: a high cap lets the jobs of concurrent tests render side by side.
    renderCap: 12,
    log: (line) => stackLog.push(line),
  });
  dynamo = new DynamoDBClient({
    endpoint: stack.dataPlane.dynamodb.endpoint,
    region: stack.dataPlane.dynamodb.region,
    credentials: LOCAL_CREDENTIALS,
  });
  for (const user of [USER_A, USER_B, USER_C])
    await stack.dataPlane.cognito.createUser(user.email, user.password);
  tokens.a = (await stack.dataPlane.cognito.signIn(USER_A.email, USER_A.password)).idToken;
  tokens.b = (await stack.dataPlane.cognito.signIn(USER_B.email, USER_B.password)).idToken;
  tokens.c = (await stack.dataPlane.cognito.signIn(USER_C.email, USER_C.password)).idToken;
  // Node 20 has no global WebSocket; the studio's configuration wraps it for ws:// loopback.
  (globalThis as { WebSocket?: unknown }).WebSocket = WebSocket;
  const outputs = parseAmplifyOutputs(stack.outputs);
  if (!outputs.ok) throw new Error(outputs.message);
  configureAmplify(outputs.outputs);
  const { isSignedIn } = await signIn({
    username: USER_A.email,
    password: USER_A.password,
    options: { authFlowType: 'USER_PASSWORD_AUTH' },
  });
  expect(isSignedIn).toBe(true);

  const [mine, bobs] = await Promise.all([
    createJob(clientA(), 'title-card', { title: 'Victim' }),
    createJob(clientWithToken(tokens.b), 'title-card', { title: 'Bob' }),
  ]);
  await Promise.all([waitForTerminal(mine.id), waitForTerminal(bobs.id)]);
  victim = (await clientA().models.Job.get({ id: mine.id })).data!;
  bobsJob = (await clientWithToken(tokens.b).models.Job.get({ id: bobs.id })).data!;
  expect([victim.status, bobsJob.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
});

afterAll(async () => {
  dynamo?.destroy();
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

// ---------------------------------------------------------------- good input survives the trip

describe('valid input, through the AppSync simulator as a signed-in user', () => {
  it.concurrent.for(compositionCatalog.map((spec) => [spec.id, spec] as const))(
    '%s: the full default props and generated valid props are stored as sent and rendered',
    async ([id, spec], { expect }) => {
      // One user per composition, so these jobs stay within the per-user limit.
      const user = { email: `${id}@example.com`, password: 'Valid-pass-1234' };
      await stack.dataPlane.cognito.createUser(user.email, user.password);
      const client = clientWithToken(
        (await stack.dataPlane.cognito.signIn(user.email, user.password)).idToken,
      );
      const cases = [
        spec.defaultProps,
        ...fc.sample(arbitraryValidProps(spec), { numRuns: MAX_ACTIVE_JOBS - 1, seed: 8 }),
      ];

      const jobs = await Promise.all(cases.map((props) => createJob(client, id, props)));
      const stored = await Promise.all(jobs.map((job) => waitForTerminal(job.id)));
      const readBack = await Promise.all(jobs.map((job) => client.models.Job.get({ id: job.id })));

      expect(stored.map((item) => [item.status?.S, item.errorMessage?.S])).toEqual(
        cases.map(() => ['SUCCEEDED', undefined]),
      );
      expect(readBack.map(({ data }) => JSON.parse(String(data?.inputProps)) as unknown)).toEqual(
        cases.map((props) => JSON.parse(JSON.stringify(props)) as unknown),
      );
    },
  );
});

// ---------------------------------------------------------------- bad input

describe('bad input, through the AppSync simulator as a signed-in user', () => {
  it("refuses 1 MB of props at create (DynamoDB's 400 KB item limit) and stores nothing", async () => {
    const title = uniqueTitle('1 MB');
    const inputProps = JSON.stringify({ title: 'Big', padding: 'x'.repeat(1024 * 1024) });

    const created = await clientA().models.Job.create({
      title,
      compositionId: 'title-card',
      inputProps,
    });

    expect(created.data).toBeNull();
    expect(errorText(created)).toMatch(/Item size has exceeded the maximum allowed size/);
    expect(await findStoredJobsTitled(title)).toEqual([]);
  });

  it('stores props over the 64 KB cap, and the worker fails the job naming the cap, never rendering it', async () => {
    const job = await createJob(clientA(), 'title-card', {
      title: 'Too big',
      padding: 'x'.repeat(100 * 1024),
    });

    const stored = await waitForTerminal(job.id);

    expect(stored.status?.S).toBe('FAILED');
    expect(stored.errorMessage?.S).toMatch(
      /^The props for composition "title-card" are invalid: Props for "title-card" must be at most 64 KB as JSON, but got 100\.\d KB$/,
    );
    expect(stored.renderId).toBeUndefined();
  });

  it.each([
    [
      'an unknown composition',
      'no-such-composition',
      {},
      /Unknown composition "no-such-composition"; known compositions are title-card, bar-chart, slideshow$/,
    ],
    [
      'a title of the wrong type',
      'title-card',
      { title: 42 },
      /`title` must be a string, but got 42$/,
    ],
    [
      'bars of the wrong types',
      'bar-chart',
      { bars: [{ label: '', value: 'lots', color: 'red' }] },
      /`bars\[0\]\.label` must be at least 1 character, but got 0; `bars\[0\]\.value` must be a number, but got "lots"; `bars\[0\]\.color` must be a hex colour like "#1e293b", but got "red"$/,
    ],
    [
      'an image not shipped with the studio',
      'slideshow',
      { slides: [{ image: 'https://attacker.example/x.svg', caption: '' }] },
      /`slides\[0\]\.image` must be one of "slides\/aurora\.svg", .*, but got "https:\/\/attacker\.example\/x\.svg"$/,
    ],
    [
      'a list instead of an object',
      'title-card',
      [1, 2],
      /must be a JSON object, but got a list of 2$/,
    ],
    ['unknown fields', 'title-card', { title: 'Hi', onload: 'alert(1)' }, /Unknown field `onload`/],
  ])(
    'fails a job with %s, saying what is wrong',
    async (_case, compositionId, inputProps, expected) => {
      const job = await createJob(clientA(), compositionId, inputProps);

      const stored = await waitForTerminal(job.id);

      expect(stored.status?.S).toBe('FAILED');
      expect(stored.errorMessage?.S).toMatch(expected);
      expect(stored.renderId).toBeUndefined();
    },
  );

  it('refuses props that are not JSON at create', async () => {
    const title = uniqueTitle('not JSON');

    const created = await clientA().models.Job.create({
      title,
      compositionId: 'title-card',
      inputProps: '{"title": "unterminated',
    });

    expect(errorText(created)).toMatch(/inputProps.*Expected type "AWSJSON"/);
    expect(await findStoredJobsTitled(title)).toEqual([]);
  });

  it(`keeps a job beyond ${MAX_ACTIVE_JOBS} in flight for one user waiting in the queue, and renders it once a slot frees`, async () => {
    const c = clientWithToken(tokens.c);
    const inFlight = [];
    for (let index = 0; index < MAX_ACTIVE_JOBS; index += 1)
      inFlight.push(await createJob(c, 'title-card', { title: `In flight ${index}` }));
    await Promise.all(
      inFlight.map((job) =>
        waitForStoredJob(job.id, (item) => item.status?.S === 'RENDERING', 'RENDERING'),
      ),
    );

    const extra = await createJob(c, 'title-card', { title: 'One more' });
    const finished = await Promise.all(inFlight.map((job) => waitForTerminal(job.id)));
    const waited = await waitForTerminal(extra.id);

    expect(finished.map((item) => item.status?.S)).toEqual(inFlight.map(() => 'SUCCEEDED'));
    expect(waited.status?.S).toBe('SUCCEEDED');
    expect(waited.errorMessage?.S).toBeUndefined();
    // It started only after one of the three in flight had ended: the limit held, and the job waited, not failed.
    const firstEnd = Math.min(...finished.map((item) => Date.parse(item.finishedAt?.S ?? '')));
    expect(Date.parse(waited.startedAt?.S ?? '')).toBeGreaterThanOrEqual(firstEnd);
  });
});

// ---------------------------------------------------------------- server fields

/** Every field only the render worker may write, with a value an owner might try to forge. */
const SERVER_FIELDS: [string, unknown][] = [
  ['status', 'SUCCEEDED'],
  ['progress', 1],
  ['renderedFrames', 150],
  ['totalFrames', 150],
  ['etaSeconds', 0],
  ['renderId', 'forged-render'],
  ['outputBucket', 'attacker-bucket'],
  ['outputKey', 'renders/someone-else/their-job.mp4'],
  ['outputSizeBytes', 1],
  ['errorMessage', '<img src=x onerror=alert(1)>'],
  ['costUsd', 0],
  ['attempts', 0],
  ['startedAt', '2026-01-01T00:00:00.000Z'],
  ['finishedAt', '2026-01-01T00:00:01.000Z'],
  ['queueCheckedAt', '2026-01-01T00:00:01.000Z'],
  ['createdAt', '2020-01-01T00:00:00.000Z'],
  ['owner', 'someone-else'],
  // The outputs' server fields (docs/architecture.md, "Outputs"): a forged poster key would sign someone else's
  // object, a forged expiry would keep outputs past retention or hide them.
  ['posterKey', 'renders/someone-else/their-job.poster.jpeg'],
  ['expiresAt', '2999-01-01T00:00:00.000Z'],
  ['expiredAt', '2026-01-01T00:00:00.000Z'],
  ['batchId', 'someone-elses-batch'],
  ['rowIndex', 0],
  // The hand-off's key: a forged one would put this job among someone else's waiting batch rows.
  ['rowOwner', 'someone-else::someone-else'],
];

describe('render slots (the per-user limit), as a signed-in user', () => {
  it.each([
    [
      'create a slot (to block someone else)',
      'mutation { createRenderSlot(input: { jobOwner: "victim::victim", slot: 0, jobId: "x" }) { jobOwner } }',
    ],
    [
      'delete a slot (to exceed the limit)',
      'mutation { deleteRenderSlot(input: { jobOwner: "victim::victim", slot: 0 }) { jobOwner } }',
    ],
    ['list slots', 'query { listRenderSlots { items { jobOwner slot jobId } } }'],
  ])('cannot %s', async (_what, query) => {
    const { body } = await postGraphql(tokens.a, query, {});
    expect(body.errors?.length ?? 0).toBeGreaterThan(0);
    expect(JSON.stringify(body.data ?? null)).not.toMatch(/victim|jobId/);
  });
});

describe('server fields, set by the owner', () => {
  it('lets the owner create with the input fields alone (the refusals below are about one field)', async () => {
    const title = uniqueTitle('inputs only');

    const { body } = await postGraphql(tokens.a, CREATE_JOB, {
      input: { title, compositionId: 'title-card', inputProps: '{}', cancelRequested: false },
    });

    expect(errorText(body)).toBe('');
    expect(await findStoredJobsTitled(title)).toHaveLength(1);
  });

  it.each(SERVER_FIELDS)('refuses %s on create and stores nothing', async (field, value) => {
    const title = uniqueTitle(field);

    const { body } = await postGraphql(tokens.a, CREATE_JOB, {
      input: { title, compositionId: 'title-card', inputProps: '{}', [field]: value },
    });

    expect(body.data?.createJob ?? null).toBeNull();
    expect(errorText(body)).toMatch(new RegExp(`Unauthorized( on \\[${field}\\])?`));
    expect(await findStoredJobsTitled(title)).toEqual([]);
  });

  it.each([...SERVER_FIELDS, ['updatedAt', '2020-01-01T00:00:00.000Z'] as [string, unknown]])(
    'refuses %s on update and leaves the stored job as it was',
    async (field, value) => {
      const before = await readStoredJob(victim.id);

      const { body } = await postGraphql(tokens.a, UPDATE_JOB, {
        input: { id: victim.id, [field]: value },
      });

      expect(body.data?.updateJob ?? null).toBeNull();
      expect(errorText(body)).toMatch(/Unauthorized/);
      expect(await readStoredJob(victim.id)).toEqual(before);
    },
  );

  it.each([
    ['compositionId', 'bar-chart'],
    ['inputProps', '{"title":"changed after validation"}'],
    ['title', 'Renamed'],
    ['outputFormat', 'gif'],
    ['scale', 2],
  ])('refuses a change of the input field %s after create', async (field, value) => {
    const before = await readStoredJob(victim.id);

    const { body } = await postGraphql(tokens.a, UPDATE_JOB, {
      input: { id: victim.id, [field]: value },
    });

    expect(errorText(body)).toMatch(/Unauthorized/);
    expect(await readStoredJob(victim.id)).toEqual(before);
  });

  it('refuses a cancel that carries a server field along, writing neither', async () => {
    const before = await readStoredJob(victim.id);

    const { body } = await postGraphql(tokens.a, UPDATE_JOB, {
      input: { id: victim.id, cancelRequested: true, status: 'CANCELLED' },
    });

    expect(errorText(body)).toMatch(/Unauthorized/);
    expect(await readStoredJob(victim.id)).toEqual(before);
  });

  it('still lets the owner set cancelRequested alone (the one field it may write)', async () => {
    const { body } = await postGraphql(tokens.a, UPDATE_JOB, {
      input: { id: victim.id, cancelRequested: false },
    });

    expect(errorText(body)).toBe('');
    expect((await readStoredJob(victim.id))?.cancelRequested).toEqual({ BOOL: false });
  });
});

// ---------------------------------------------------------------- user B against user A

describe("user B against user A's job", () => {
  it("cannot delete A's job (nor can A: owners have no delete), and the job stays", async () => {
    const before = await readStoredJob(victim.id);

    const byB = await postGraphql(tokens.b, DELETE_JOB, { input: { id: victim.id } });
    const byA = await postGraphql(tokens.a, DELETE_JOB, { input: { id: victim.id } });

    expect(byB.body.data?.deleteJob ?? null).toBeNull();
    expect(errorText(byB.body)).toMatch(/Unauthorized/);
    expect(errorText(byA.body)).toMatch(/Unauthorized/);
    expect(await readStoredJob(victim.id)).toEqual(before);
  });

  it("cannot remove A's finished job: told it has no such job, like a missing one, and A's record and video stay", async () => {
    const before = await readStoredJob(victim.id);
    const video = join(dataDir, 'outputs', victim.outputKey!);
    expect(existsSync(video)).toBe(true);

    const byB = await postGraphql(tokens.b, REMOVE_JOB, { jobId: victim.id });
    const missing = await postGraphql(tokens.b, REMOVE_JOB, { jobId: `${victim.id}-missing` });
    const anonymous = await postGraphql(undefined, REMOVE_JOB, { jobId: victim.id });

    expect(byB.body.data?.removeJob ?? null).toBeNull();
    expect(errorText(byB.body)).toContain(`You have no job with id "${victim.id}".`);
    // The same answer as for an id that exists nowhere: ids cannot be probed.
    expect(errorText(missing.body)).toContain(`You have no job with id "${victim.id}-missing".`);
    expect(anonymous.body.data?.removeJob ?? null).toBeNull();
    expect(errorText(anonymous.body)).not.toBe('');
    expect(await readStoredJob(victim.id)).toEqual(before);
    expect(existsSync(video)).toBe(true);
    const url = await clientA().queries.getJobVideoUrl({ jobId: victim.id });
    expect(errorText(url)).toBe('');
  });

  it("cannot remove (so cannot cancel) A's rendering job: no cancel is asked for and it still finishes", async () => {
    const running = await createJob(clientA(), 'title-card', { title: 'Running' });
    await waitForStoredJob(running.id, (item) => item.status?.S === 'RENDERING', 'rendering');

    const byB = await postGraphql(tokens.b, REMOVE_JOB, { jobId: running.id });

    expect(errorText(byB.body)).toContain(`You have no job with id "${running.id}".`);
    expect((await readStoredJob(running.id))?.cancelRequested?.BOOL ?? false).toBe(false);
    const ended = await waitForTerminal(running.id);
    expect(ended.status?.S).toBe('SUCCEEDED');
    expect(ended.cancelRequested?.BOOL ?? false).toBe(false);
  });

  it("cannot read A's job by id, and sees no trace of it in its own list", async () => {
    const got = await clientWithToken(tokens.b).models.Job.get({ id: victim.id });
    const listed = await postGraphql(tokens.b, LIST_JOBS);

    expect(got.data ?? null).toBeNull();
    const ids = (
      (listed.body.data?.listJobs as { items: { id: string }[] } | undefined)?.items ?? []
    ).map((item) => item.id);
    expect(ids).not.toContain(victim.id);
    expect(ids).toContain(bobsJob.id);
  });

  it("cannot find A's job by owner: neither a list filter nor the owner index names it", async () => {
    // The key as stored (`<sub>::<username>`); the API shows owners as the sub alone.
    const owner = (await readStoredJob(victim.id))!.owner!.S!;
    const filtered = await postGraphql(tokens.b, LIST_JOBS, {
      filter: { or: [{ owner: { eq: owner } }, { owner: { eq: victim.owner } }] },
    });
    const byIndex = await postGraphql(
      tokens.b,
      /* GraphQL */ `
        query ByOwner($owner: String!) {
          listJobsByOwnerAndCreatedAt(owner: $owner) {
            items {
              id
            }
          }
        }
      `,
      { owner },
    );
    const ownIndex = await postGraphql(
      tokens.a,
      /* GraphQL */ `
        query ByOwner($owner: String!) {
          listJobsByOwnerAndCreatedAt(owner: $owner) {
            items {
              id
            }
          }
        }
      `,
      { owner },
    );

    const ids = (body: GraphqlBody, field: string) =>
      ((body.data?.[field] as { items: { id: string }[] } | null)?.items ?? []).map(
        (item) => item.id,
      );
    expect(ids(filtered.body, 'listJobs')).toEqual([]);
    expect(ids(byIndex.body, 'listJobsByOwnerAndCreatedAt')).toEqual([]);
    expect(errorText(byIndex.body)).toMatch(/Unauthorized/);
    expect(ids(ownIndex.body, 'listJobsByOwnerAndCreatedAt')).toContain(victim.id);
  });

  it("cannot change any field of A's job, and nothing is written", async () => {
    const before = await readStoredJob(victim.id);

    const attempts = await Promise.all(
      [
        { cancelRequested: true },
        { inputProps: '{"title":"hijacked"}' },
        { status: 'FAILED' },
        { owner: decodeJwt(tokens.b).sub },
      ].map((change) => postGraphql(tokens.b, UPDATE_JOB, { input: { id: victim.id, ...change } })),
    );

    for (const { body } of attempts) expect(errorText(body)).toMatch(/Unauthorized/);
    expect(await readStoredJob(victim.id)).toEqual(before);
  });

  it("cannot create a job in A's name", async () => {
    const title = uniqueTitle('impersonation');
    const storedOwner = (await readStoredJob(victim.id))!.owner!.S!;

    const attempts = await Promise.all(
      [victim.owner, storedOwner].map((owner) =>
        postGraphql(tokens.b, CREATE_JOB, {
          input: { title, compositionId: 'title-card', inputProps: '{}', owner },
        }),
      ),
    );

    for (const { body } of attempts) expect(errorText(body)).toMatch(/Unauthorized/);
    expect(await findStoredJobsTitled(title)).toEqual([]);
  });

  it("receives none of A's events: subscriptions naming A as owner are refused, a filter on A matches nothing", async () => {
    const watched = await connectRealtime(userAuth(tokens.b));
    if (!watched.ok) throw new Error(`B could not connect: ${watched.status}`);
    const b = watched.connection;
    const auth = userAuth(tokens.b);
    const acks = {
      createAsA: await b.start(
        'create-as-a',
        JOB_SUBSCRIPTION('onCreateJob'),
        { owner: victim.owner },
        auth,
      ),
      updateAsA: await b.start(
        'update-as-a',
        JOB_SUBSCRIPTION('onUpdateJob'),
        { owner: victim.owner },
        auth,
      ),
      filteredOnA: await b.start(
        'filtered-on-a',
        JOB_SUBSCRIPTION('onUpdateJob'),
        { filter: { owner: { eq: victim.owner } } },
        auth,
      ),
      own: await b.start('own-creates', JOB_SUBSCRIPTION('onCreateJob'), {}, auth),
    };

    const ofA = await createJob(clientA(), 'title-card', { title: 'A renders, B watches' });
    await waitForStoredJob(
      ofA.id,
      (item) => Number(item.progress?.N ?? 0) > 0,
      'rendering with progress (created, then updated)',
    );
    // Events reach a socket in the order they were published: B's own create comes after all of A's.
    const ofB = await createJob(clientWithToken(tokens.b), 'title-card', { title: 'Barrier' });
    await b.waitFor(
      (message) => message.id === 'own-creates' && message.type === 'data',
      "B's own create event",
    );
    b.close();

    const seen = ['create-as-a', 'update-as-a', 'filtered-on-a', 'own-creates'].flatMap((id) =>
      eventsOf(b, id),
    );
    expect(seen.map((event) => event.id)).not.toContain(ofA.id);
    expect(seen.map((event) => event.owner)).not.toContain(victim.owner);
    expect(eventsOf(b, 'own-creates').map((event) => event.id)).toEqual([ofB.id]);
    // Naming someone else as owner is refused outright or silently matches nothing; never A's events.
    // Naming A as owner is refused outright; a filter on A's owner is accepted and matches nothing.
    expect(Object.fromEntries(Object.entries(acks).map(([name, ack]) => [name, ack.type]))).toEqual(
      {
        createAsA: 'error',
        updateAsA: 'error',
        filteredOnA: 'start_ack',
        own: 'start_ack',
      },
    );
    expect(errorText(acks.createAsA.payload as GraphqlBody)).toMatch(/Unauthorized/);
    await Promise.all([waitForTerminal(ofA.id), waitForTerminal(ofB.id)]);
  });

  it("cannot reach A's video with B's own signed URL pointed at A's file", async () => {
    const own = await clientWithToken(tokens.b).queries.getJobVideoUrl({ jobId: bobsJob.id });
    expect(errorText(own)).toBe('');
    const ownUrl = new URL(own.data!.url);
    const victimKey = (await readStoredJob(victim.id))!.outputKey!.S!;

    const swapped = new URL(ownUrl);
    swapped.pathname = `/${victimKey}`;
    const traversal = `${ownUrl.origin}/${bobsJob.outputKey!.split('/').slice(0, -1).join('/')}/%2E%2E/%2E%2E/${victimKey.split('/').slice(1).join('/')}${ownUrl.search}`;
    const signatureOnly = new URL(ownUrl);
    signatureOnly.pathname = `/${victimKey}`;
    signatureOnly.searchParams.set('signature', 'A'.repeat(43));

    expect((await fetch(ownUrl)).status).toBe(200);
    expect((await fetch(swapped)).status).toBe(403);
    expect((await fetch(traversal)).status).toBe(403);
    expect((await fetch(signatureOnly)).status).toBe(403);
  });
});

// ---------------------------------------------------------------- credentials

describe('requests with bad credentials', () => {
  it("serves B's real token, and a token minted like it (the refusals below are not a minting mistake)", async () => {
    const real = await postGraphql(tokens.b, LIST_JOBS);
    const minted = await postGraphql(await mintToken({}), LIST_JOBS);

    expect([real.status, minted.status]).toEqual([200, 200]);
    expect(errorText(real.body)).toBe('');
    expect(errorText(minted.body)).toBe('');
  });

  it.each(BAD_AUTHORIZATIONS)('refuses %s over HTTP', async (_case, makeAuthorization) => {
    const authorization = await makeAuthorization();

    const { status, body } = await postGraphql(authorization, LIST_JOBS);

    expect(status).toBe(401);
    expect(body.data ?? null).toBeNull();
    expect(body.errors?.[0]?.errorType).toBe('UnauthorizedException');
  });

  it("opens the realtime socket with B's token, and with the worker's real IAM signature", async () => {
    const asUser = await connectRealtime(userAuth(tokens.b));
    const asWorker = await connectRealtime(
      await signAsWorker(stack.dataPlane.workerCredentials.secretAccessKey, {
        path: '/graphql/connect',
        body: '{}',
        headers: { accept: 'application/json, text/javascript', 'content-encoding': 'amz-1.0' },
      }),
    );

    expect(asUser.ok).toBe(true);
    expect(asWorker.ok).toBe(true);
    if (asUser.ok) asUser.connection.close();
    if (asWorker.ok) asWorker.connection.close();
  });

  it.each(BAD_AUTHORIZATIONS)(
    'refuses %s when opening the realtime socket',
    async (_case, makeAuthorization) => {
      const authorization = await makeAuthorization();

      const opened = await connectRealtime(userAuth(authorization));

      expect(opened).toEqual({ ok: false, status: 401 });
    },
  );

  it.each(BAD_AUTHORIZATIONS)(
    "refuses %s for a subscription on B's open socket",
    async (_case, makeAuthorization) => {
      const opened = await connectRealtime(userAuth(tokens.b));
      if (!opened.ok) throw new Error(`B could not connect: ${opened.status}`);
      const authorization = await makeAuthorization();

      const answer = await opened.connection.start(
        'forged',
        JOB_SUBSCRIPTION('onUpdateJob'),
        {},
        userAuth(authorization),
      );
      opened.connection.close();

      expect(answer.type).toBe('error');
    },
  );
});

// ---------------------------------------------------------------- output URLs

describe('signed output URLs', () => {
  const signer = () =>
    createUrlSigner(loadOrCreateSecret(join(dataDir, 'output-url-secret')), stack.outputServerUrl);

  it('gives a URL that expires when getJobVideoUrl says it does', async () => {
    const { data, errors } = await clientA().queries.getJobVideoUrl({ jobId: victim.id });

    expect(errors).toBeUndefined();
    const url = new URL(data!.url);
    expect(Number(url.searchParams.get('expires'))).toBe(
      Math.floor(Date.parse(data!.expiresAt) / 1000),
    );
    expect((await fetch(url)).status).toBe(200);
  });

  it('refuses a URL once its expiry has passed', async () => {
    const key = victim.outputKey!;
    const expiresAtMs = (Math.floor(Date.now() / 1000) + 2) * 1000;
    const url = signer().sign(key, expiresAtMs);
    const statusBefore = (await fetch(url)).status;

    while (Date.now() < expiresAtMs + 50) await new Promise((done) => setTimeout(done, 100));
    const after = await fetch(url);

    expect(statusBefore).toBe(200);
    expect(after.status).toBe(403);
    expect(await after.text()).toMatch(/expired/);
  });

  it('refuses a URL signed to have expired already, and one whose signature was altered', async () => {
    const key = victim.outputKey!;
    const expired = signer().sign(key, Date.now() - 1000);
    const valid = new URL(signer().sign(key, Date.now() + 60_000));
    const signature = valid.searchParams.get('signature')!;
    const altered = new URL(valid);
    altered.searchParams.set(
      'signature',
      `${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`,
    );
    const missing = new URL(valid);
    missing.searchParams.delete('signature');

    expect((await fetch(valid)).status).toBe(200);
    expect((await fetch(expired)).status).toBe(403);
    expect((await fetch(altered)).status).toBe(403);
    expect((await fetch(missing)).status).toBe(403);
  });
});
