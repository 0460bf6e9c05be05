import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { a, defineFunction } from '@aws-amplify/backend';
import { startAppSyncServer, type AppSyncServer } from '../../local/appsync/appsync-server';
import { transformDataSchema } from '../../local/appsync/transform-data-schema';
import { startCognitoLocal, type CognitoLocal } from '../../local/cognito/cognito-local';

// A custom query backed by a Lambda function, the shape `getJobVideoUrl` takes in amplify/data/resource.ts.
const videoUrlFunction = defineFunction({
  name: 'get-job-video-url',
  entry: '../../amplify/functions/render-worker/handler.ts',
});
const schemaWithCustomQuery = a.schema({
  getJobVideoUrl: a
    .query()
    .arguments({ jobId: a.id().required() })
    .returns(a.string())
    .handler(a.handler.function(videoUrlFunction))
    .authorization((allow) => [allow.authenticated()]),
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
  const address = server.address();
  await new Promise((done) => server.close(done));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

interface LambdaEvent {
  fieldName: string;
  arguments: { jobId: string };
  identity: { sub: string };
}

describe('Lambda-backed custom queries', () => {
  let dataDir: string;
  let cognito: CognitoLocal;
  let appsync: AppSyncServer;
  const received: LambdaEvent[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'data-plane-lambda-'));
    cognito = await startCognitoLocal({
      dataDir,
      port: await freePort(),
      internalPort: await freePort(),
      log: () => {},
    });
    appsync = await startAppSyncServer({
      api: transformDataSchema(schemaWithCustomQuery.transform().schema, {
        apiId: 'local',
        tableNameOf: (model) => model,
      }),
      port: await freePort(),
      dynamodb: {
        endpoint: 'http://127.0.0.1:1',
        region: 'us-east-1',
        credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      },
      tableNameOf: (model) => model,
      lambdaResolvers: {
        getJobVideoUrl: async (event) => {
          received.push(event as LambdaEvent);
          return `https://videos.local/${(event as LambdaEvent).arguments.jobId}.mp4`;
        },
      },
      auth: {
        verifyUserPoolToken: (token) => cognito.verifyToken(token),
        workerCredentials: { accessKeyId: 'LOCALWORKER', secretAccessKey: 'secret' },
        region: 'us-east-1',
      },
    });
  });

  afterAll(async () => {
    await appsync?.stop();
    await cognito?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const query = async (authorization: string | undefined) =>
    await fetch(appsync.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body: JSON.stringify({
        query: 'query Q($id: ID!) { getJobVideoUrl(jobId: $id) }',
        variables: { id: 'job-1' },
      }),
    });

  it('invokes the handler registered for the field, with the caller identity, and returns its result', async () => {
    await cognito.createUser('dora@example.com', 'Dora-pass-123');
    const { idToken } = await cognito.signIn('dora@example.com', 'Dora-pass-123');
    const response = await query(idToken);
    expect(await response.json()).toEqual({
      data: { getJobVideoUrl: 'https://videos.local/job-1.mp4' },
    });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({
      fieldName: 'getJobVideoUrl',
      arguments: { jobId: 'job-1' },
    });
    expect(received[0]!.identity.sub).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses callers without a valid token before the handler runs', async () => {
    const before = received.length;
    expect((await query(undefined)).status).toBe(401);
    expect((await query('not-a-jwt')).status).toBe(401);
    expect(received).toHaveLength(before);
  });
});
