import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  AdminUpdateUserAttributesCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  InitiateAuthCommand,
  ListGroupsCommand,
  ListUserPoolClientsCommand,
  ListUserPoolsCommand,
  GroupExistsException,
  UsernameExistsException,
} from '@aws-sdk/client-cognito-identity-provider';
import { ADMINS_GROUP } from '../../contract/admins';
import {
  killWithParent,
  LOCAL_AWS_CREDENTIALS,
  LOCAL_REGION,
  stopProcess,
} from '../dynamodb/dynamodb-local';
import { claimPool, type PoolClaim, type PoolHolder } from './pool-owner';
import { startTriggerServer, type LocalTrigger } from './trigger-server';

const POOL_NAME = 'render-studio-local';
const CLIENT_NAME = 'render-studio-web';
/** Tokens carry a real-looking Cognito issuer, which is what AppSync (and its simulator) recognise as a user-pool token. */
export const LOCAL_ISSUER_DOMAIN = `https://cognito-idp.${LOCAL_REGION}.amazonaws.com`;

/** A running cognito-local behind a thin compatibility proxy. */
export interface CognitoLocal {
  endpoint: string;
  userPoolId: string;
  userPoolClientId: string;
  /** `admin`: also a member of the `admins` group (contract/admins.ts). */
  createUser(email: string, password: string, options?: { admin?: boolean }): Promise<void>;
  signIn(email: string, password: string): Promise<{ idToken: string; accessToken: string }>;
  /** Verifies a token's signature (against cognito-local's JWKS), issuer and expiry; resolves to its claims. */
  verifyToken(token: string): Promise<JWTPayload>;
  stop(): Promise<void>;
}

/** Creates (or resets) a confirmed user with a verified email and a permanent password, as sign-up would leave it. */
export async function createConfirmedUser(
  client: CognitoIdentityProviderClient,
  user: { userPoolId: string; email: string; password: string; admin?: boolean },
  options: { abortSignal?: AbortSignal } = {},
): Promise<void> {
  try {
    await client.send(
      new AdminCreateUserCommand({
        UserPoolId: user.userPoolId,
        Username: user.email,
        MessageAction: 'SUPPRESS',
        TemporaryPassword: user.password,
        UserAttributes: [
          { Name: 'email', Value: user.email },
          { Name: 'email_verified', Value: 'true' },
        ],
      }),
      options,
    );
  } catch (error) {
    if (!(error instanceof UsernameExistsException)) throw error;
  }
  await client.send(
    new AdminSetUserPasswordCommand({
      UserPoolId: user.userPoolId,
      Username: user.email,
      Password: user.password,
      Permanent: true,
    }),
    options,
  );
  if (user.admin) {
    await ensureAdminsGroup(client, user.userPoolId);
    await client.send(
      new AdminAddUserToGroupCommand({
        UserPoolId: user.userPoolId,
        Username: user.email,
        GroupName: ADMINS_GROUP,
      }),
      options,
    );
  }
}

/** The `admins` group, as `defineAuth({ groups })` creates it in the cloud. */
async function ensureAdminsGroup(client: CognitoIdentityProviderClient, userPoolId: string) {
  // cognito-local's CreateGroup replaces an existing group and forgets its members: look first.
  const { Groups = [] } = await client.send(new ListGroupsCommand({ UserPoolId: userPoolId }));
  if (Groups.some((group) => group.GroupName === ADMINS_GROUP)) return;
  try {
    await client.send(new CreateGroupCommand({ UserPoolId: userPoolId, GroupName: ADMINS_GROUP }));
  } catch (error) {
    if (!(error instanceof GroupExistsException)) throw error;
  }
}

/**
 * Starts `cognito-local` (data under `dataDir`) on an internal port and, on `port`, a proxy that adds what the
 * Amplify JS client expects and cognito-local lacks: `GetTokensFromRefreshToken`, and `email_verified` after sign-up
 * confirmation. Creates the user pool and its USER_PASSWORD_AUTH client once; later starts reuse them.
 * Only one process serves a pool folder at a time (see `pool-owner.ts`); `holder` says who this one is.
 */
export async function startCognitoLocal(options: {
  dataDir: string;
  port: number;
  internalPort: number;
  log: (line: string) => void;
  /** Default `stack`: serves until stopped, and `npm run local:user` goes through it. */
  holder?: PoolHolder;
  /** Cognito triggers by name (`PreSignUp`), run by cognito-local through a local Lambda Invoke endpoint. */
  triggers?: Record<string, LocalTrigger>;
}): Promise<CognitoLocal> {
  const workDir = resolve(options.dataDir);
  const claim = await claimPool(workDir, options.holder ?? 'stack');
  try {
    return await startClaimedCognitoLocal(workDir, options, claim);
  } catch (error) {
    claim.release();
    throw error;
  }
}

async function startClaimedCognitoLocal(
  workDir: string,
  options: {
    port: number;
    internalPort: number;
    log: (line: string) => void;
    triggers?: Record<string, LocalTrigger>;
  },
  claim: PoolClaim,
): Promise<CognitoLocal> {
  mkdirSync(join(workDir, '.cognito'), { recursive: true });
  const triggerNames = Object.keys(options.triggers ?? {});
  const triggerServer =
    triggerNames.length > 0 ? await startTriggerServer(options.triggers ?? {}) : undefined;
  writeFileSync(
    join(workDir, '.cognito', 'config.json'),
    JSON.stringify(
      {
        TokenConfig: { IssuerDomain: LOCAL_ISSUER_DOMAIN },
        ...(triggerServer
          ? {
              LambdaClient: {
                endpoint: triggerServer.endpoint,
                region: LOCAL_REGION,
                credentials: LOCAL_AWS_CREDENTIALS,
              },
              // Named as Cognito names them, so a refusal reads "PreSignUp failed with error …" here too.
              TriggerFunctions: Object.fromEntries(triggerNames.map((name) => [name, name])),
            }
          : {}),
      },
      null,
      2,
    ),
  );
  const entry = join(
    dirname(createRequire(import.meta.url).resolve('cognito-local/package.json')),
    'lib',
    'bin',
    'start.js',
  );
  const child = spawn(process.execPath, [entry], {
    cwd: workDir,
    env: {
      ...process.env,
      PORT: String(options.internalPort),
      HOST: '127.0.0.1',
      NO_COLOR: '1',
      FORCE_COLOR: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  killWithParent(child);
  const internalUrl = `http://127.0.0.1:${options.internalPort}`;
  const ready = new Promise<void>((done, fail) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += stripAnsi(chunk.toString());
      if (output.includes('Cognito Local running on')) done();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      const reason = /EADDRINUSE/.test(output)
        ? `port ${options.internalPort} is already in use`
        : output.trim().split('\n').slice(-3).join(' ');
      fail(new Error(`cognito-local exited (code ${code}) before it was ready: ${reason}`));
    });
  });
  child.stdout.on('data', surfaceConfirmationCodes(options.log));
  try {
    // A node process loading its modules: over 20 s on two cores shared with other work.
    await withTimeout(ready, 60_000, 'cognito-local did not start within 60 s');
  } catch (error) {
    await stopProcess(child);
    await triggerServer?.stop();
    throw error;
  }

  const client = new CognitoIdentityProviderClient({
    endpoint: internalUrl,
    region: LOCAL_REGION,
    credentials: LOCAL_AWS_CREDENTIALS,
  });
  const stopStarted = async () => {
    client.destroy();
    await stopProcess(child);
    await triggerServer?.stop();
  };
  let userPoolId: string, userPoolClientId: string, proxy: Server;
  try {
    ({ userPoolId, userPoolClientId } = await ensureUserPool(client));
    await ensureAdminsGroup(client, userPoolId);
    proxy = await startCompatibilityProxy({ port: options.port, internalUrl, client, userPoolId });
  } catch (error) {
    await stopStarted();
    throw error;
  }
  const endpoint = `http://127.0.0.1:${options.port}`;
  claim.announce(endpoint, userPoolId);
  const jwks = createRemoteJWKSet(new URL(`${internalUrl}/${userPoolId}/.well-known/jwks.json`));

  return {
    endpoint,
    userPoolId,
    userPoolClientId,
    async createUser(email, password, createOptions = {}) {
      await createConfirmedUser(client, { userPoolId, email, password, ...createOptions });
    },
    async signIn(email, password) {
      const { AuthenticationResult: result } = await client.send(
        new InitiateAuthCommand({
          ClientId: userPoolClientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: email, PASSWORD: password },
        }),
      );
      if (!result?.IdToken || !result.AccessToken)
        throw new Error(`cognito-local: sign-in of ${email} returned no tokens`);
      return { idToken: result.IdToken, accessToken: result.AccessToken };
    },
    async verifyToken(token) {
      const { payload } = await jwtVerify(token, jwks, {
        issuer: `${LOCAL_ISSUER_DOMAIN}/${userPoolId}`,
      });
      return payload;
    },
    async stop() {
      await new Promise<void>((done) => proxy.close(() => done()));
      proxy.closeAllConnections();
      await stopStarted();
      claim.release();
    },
  };
}

async function ensureUserPool(
  client: CognitoIdentityProviderClient,
): Promise<{ userPoolId: string; userPoolClientId: string }> {
  const { UserPools = [] } = await client.send(new ListUserPoolsCommand({ MaxResults: 60 }));
  let userPoolId = UserPools.find((pool) => pool.Name === POOL_NAME)?.Id;
  if (!userPoolId) {
    const { UserPool } = await client.send(
      new CreateUserPoolCommand({
        PoolName: POOL_NAME,
        UsernameAttributes: ['email'],
        AutoVerifiedAttributes: ['email'],
      }),
    );
    userPoolId = UserPool?.Id;
  }
  if (!userPoolId) throw new Error('cognito-local: could not create the user pool');
  const { UserPoolClients = [] } = await client.send(
    new ListUserPoolClientsCommand({ UserPoolId: userPoolId, MaxResults: 60 }),
  );
  let userPoolClientId = UserPoolClients.find(
    (poolClient) => poolClient.ClientName === CLIENT_NAME,
  )?.ClientId;
  if (!userPoolClientId) {
    const { UserPoolClient } = await client.send(
      new CreateUserPoolClientCommand({
        UserPoolId: userPoolId,
        ClientName: CLIENT_NAME,
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      }),
    );
    userPoolClientId = UserPoolClient?.ClientId;
  }
  if (!userPoolClientId) throw new Error('cognito-local: could not create the user pool client');
  return { userPoolId, userPoolClientId };
}

const TARGET_PREFIX = 'AWSCognitoIdentityProviderService.';

/** The proxy: forwards every call to cognito-local, translating the few it lacks. */
async function startCompatibilityProxy(options: {
  port: number;
  internalUrl: string;
  client: CognitoIdentityProviderClient;
  userPoolId: string;
}): Promise<Server> {
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const target = String(req.headers['x-amz-target'] ?? '').replace(TARGET_PREFIX, '');
      res.setHeader('access-control-allow-origin', '*');
      res.setHeader('access-control-allow-headers', '*');
      res.setHeader('access-control-allow-methods', 'POST, GET, OPTIONS');
      if (req.method === 'OPTIONS') return void res.writeHead(204).end();
      if (target === 'GetTokensFromRefreshToken') {
        const input = JSON.parse(body.toString() || '{}') as {
          ClientId?: string;
          RefreshToken?: string;
        };
        const forwarded = await forward(
          options.internalUrl,
          req,
          Buffer.from(
            JSON.stringify({
              ClientId: input.ClientId,
              AuthFlow: 'REFRESH_TOKEN_AUTH',
              AuthParameters: { REFRESH_TOKEN: input.RefreshToken },
            }),
          ),
          `${TARGET_PREFIX}InitiateAuth`,
        );
        const result = JSON.parse(forwarded.body.toString() || '{}') as {
          AuthenticationResult?: Record<string, unknown>;
        };
        // A refresh keeps the refresh token; real Cognito returns it again only when rotation is on.
        const answer =
          forwarded.status === 200
            ? {
                AuthenticationResult: {
                  ...result.AuthenticationResult,
                  RefreshToken: input.RefreshToken,
                },
              }
            : result;
        return void res
          .writeHead(forwarded.status, { 'content-type': 'application/x-amz-json-1.1' })
          .end(JSON.stringify(answer));
      }
      const forwarded = await forward(options.internalUrl, req, body);
      if (target === 'ConfirmSignUp' && forwarded.status === 200) {
        // Real Cognito marks the email verified on confirmation; the Authenticator asks to verify it otherwise.
        const { Username } = JSON.parse(body.toString()) as { Username: string };
        const user = await options.client.send(
          new AdminGetUserCommand({ UserPoolId: options.userPoolId, Username }),
        );
        const email = user.UserAttributes?.find((attribute) => attribute.Name === 'email')?.Value;
        if (email) {
          // cognito-local only changes email_verified together with the email itself.
          await options.client.send(
            new AdminUpdateUserAttributesCommand({
              UserPoolId: options.userPoolId,
              Username,
              UserAttributes: [
                { Name: 'email', Value: email },
                { Name: 'email_verified', Value: 'true' },
              ],
            }),
          );
        }
      }
      res.writeHead(forwarded.status, forwarded.headers).end(forwarded.body);
    })().catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ __type: 'InternalErrorException', message: String(error) }));
    });
  });
  await new Promise<void>((done, fail) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      fail(
        error.code === 'EADDRINUSE'
          ? new Error(
              `cognito-local: port ${options.port} is already in use. Stop whatever uses it or choose another port.`,
            )
          : error,
      ),
    );
    server.listen(options.port, '127.0.0.1', () => done());
  });
  return server;
}

async function forward(
  internalUrl: string,
  req: IncomingMessage,
  body: Buffer,
  target?: string,
): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === 'string' && name !== 'host' && name !== 'content-length')
      headers[name] = value;
  }
  if (target) headers['x-amz-target'] = target;
  headers['content-length'] = String(body.length);
  return await new Promise((done, fail) => {
    const outgoing = httpRequest(
      `${internalUrl}${req.url ?? '/'}`,
      { method: req.method, headers },
      (response) => {
        void readBody(response).then((responseBody) => {
          const responseHeaders: Record<string, string> = {};
          for (const [name, value] of Object.entries(response.headers)) {
            if (
              typeof value === 'string' &&
              !name.startsWith('access-control-') &&
              name !== 'content-length' &&
              name !== 'transfer-encoding'
            )
              responseHeaders[name] = value;
          }
          done({
            status: response.statusCode ?? 502,
            headers: responseHeaders,
            body: responseBody,
          });
        }, fail);
      },
    );
    outgoing.once('error', fail);
    outgoing.end(body);
  });
}

async function readBody(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** cognito-local prints confirmation codes in a box; pass them on as one line each. */
function surfaceConfirmationCodes(log: (line: string) => void): (chunk: Buffer) => void {
  let pending: { destination?: string; username?: string } = {};
  return (chunk) => {
    for (const line of stripAnsi(chunk.toString()).split('\n')) {
      const field = /(Username|Destination|Code):\s+(\S+)/.exec(line);
      if (!field) continue;
      if (field[1] === 'Username') pending.username = field[2];
      if (field[1] === 'Destination') pending.destination = field[2];
      if (field[1] === 'Code') {
        log(
          `cognito: confirmation code for ${pending.destination ?? pending.username ?? 'user'}: ${field[2]}`,
        );
        pending = {};
      }
    }
  };
}

function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, fail) => (timer = setTimeout(() => fail(new Error(message)), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
