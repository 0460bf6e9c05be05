import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { loadTransformedApi } from './appsync/load-transformed-api';
import { startCognitoLocal } from './cognito/cognito-local';
import {
  type DynamoDbLocal,
  ensureModelTables,
  LOCAL_AWS_CREDENTIALS,
  LOCAL_REGION,
  startDynamoDbLocal,
} from './dynamodb/dynamodb-local';

/** Connection details and handles of the local data plane (DynamoDB Local, AppSync simulator, cognito-local). */
export interface DataPlane {
  dynamodb: {
    endpoint: string;
    region: string;
    jobTableName: string;
    jobTableStreamArn: string;
    /** The Batch table (docs/architecture.md, "Batches"). */
    batchTableName: string;
    /** Its stream: the webhook fan-out reads batches' ends from it. */
    batchTableStreamArn: string;
    /** The spend guard's ledger, written directly by the worker (docs/architecture.md, "Spend guard"). */
    spendLedgerTableName: string;
    /** The render slots, which the worker holds directly (docs/architecture.md, "Data flow"). */
    renderSlotTableName: string;
  };
  cognito: {
    endpoint: string;
    region: string;
    userPoolId: string;
    userPoolClientId: string;
    /** Creates a confirmed user with a verified email (idempotent: an existing user gets this password); `admin` adds it to the admins group. */
    createUser(email: string, password: string, options?: { admin?: boolean }): Promise<void>;
    /** Signs in with USER_PASSWORD_AUTH and returns the JWTs. */
    signIn(email: string, password: string): Promise<{ idToken: string; accessToken: string }>;
  };
  graphql: {
    url: string;
    realtimeUrl: string;
    region: string;
    apiKey?: undefined;
    /** `data.model_introspection` for `amplify_outputs.json`, from the same schema. */
    modelIntrospection: Record<string, unknown>;
  };
  /** Credentials the local render worker signs its IAM (SigV4) GraphQL requests with. */
  workerCredentials: { accessKeyId: string; secretAccessKey: string };
  /**
   * Kills DynamoDB Local (SIGKILL) and, after `downForMs`, starts it again on the same port and data, as after a
   * crash (fault tests).
   */
  restartDynamoDb(downForMs?: number): Promise<void>;
  /** Stops every process and server this plane started. */
  stop(): Promise<void>;
}

/** Options of {@link startDataPlane}. */
export interface DataPlaneOptions {
  /** Folder for on-disk state (DynamoDB data, cognito-local pools), e.g. `.local/`. */
  dataDir: string;
  /** Ports to listen on; 0 or absent picks a free one. */
  ports?: { dynamodb?: number; cognito?: number; graphql?: number };
  /** Handlers of Lambda-backed custom queries, by field name or function name. */
  lambdaResolvers?: Record<string, (event: unknown) => Promise<unknown>>;
  /** Cognito triggers (`PreSignUp`) cognito-local runs, with Cognito's event shape. */
  cognitoTriggers?: Record<string, (event: Record<string, unknown>) => Promise<unknown>>;
  log?: (line: string) => void;
}

/** Local stand-in for the AppSync API id; table names follow the cloud's `<Model>-<apiId>-<env>` shape. */
const API_ID = 'local';
export const tableNameOf = (modelName: string) => `${modelName}-${API_ID}-NONE`;

/**
 * Starts DynamoDB Local, cognito-local and the AppSync simulator (fed by Amplify's transformer output for
 * `amplify/data/resource.ts`); resolves once all answer. On failure, stops whatever it had started.
 */
export async function startDataPlane(options: DataPlaneOptions): Promise<DataPlane> {
  const log = options.log ?? (() => {});
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const [dynamodbPort, cognitoPort, cognitoInternalPort, graphqlPort] = await Promise.all([
    claimPort(options.ports?.dynamodb, 'DynamoDB Local'),
    claimPort(options.ports?.cognito, 'cognito-local'),
    claimPort(undefined, 'cognito-local (internal)'),
    claimPort(options.ports?.graphql, 'AppSync simulator'),
  ]);

  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    const pending = stops.splice(0).reverse();
    for (const stop of pending)
      await stop().catch((error: unknown) => log(`data plane: stop failed: ${String(error)}`));
  };
  const startedAt = Date.now();
  const elapsed = () => `${Date.now() - startedAt} ms`;
  const startDynamo = () =>
    startDynamoDbLocal({ dbPath: join(dataDir, 'dynamodb'), port: dynamodbPort, log });
  const dynamoStart = startDynamo();
  // The running DynamoDB Local; replaced by a restart, so the stop below always stops the current one.
  let currentDynamo: DynamoDbLocal | undefined;
  const cognitoStart = startCognitoLocal({
    dataDir: join(dataDir, 'cognito'),
    port: cognitoPort,
    internalPort: cognitoInternalPort,
    log,
    ...(options.cognitoTriggers ? { triggers: options.cognitoTriggers } : {}),
  });
  // Whichever starts is stopped again if the other fails.
  const started = Promise.allSettled([
    dynamoStart.then((dynamo) => {
      currentDynamo = dynamo;
      stops.push(async () => currentDynamo?.stop());
    }),
    cognitoStart.then((cognito) => stops.push(cognito.stop)),
  ]);
  try {
    // The simulator takes ~2 s to import (the transformer, on a cache miss, ~3 s more): load while Java boots.
    const [{ startAppSyncServer }, { api, modelIntrospection }] = await Promise.all([
      import('./appsync/appsync-server'),
      loadTransformedApi(join(dataDir, 'appsync-transform.json'), { apiId: API_ID, tableNameOf }),
    ]);
    log(`data plane: schema transformed at ${elapsed()}`);
    const [dynamo, cognito] = await Promise.all([dynamoStart, cognitoStart]);
    log(`data plane: DynamoDB Local and cognito-local answering at ${elapsed()}`);

    const streamArns = await ensureModelTables(
      dynamo.client,
      api.tables.map((definition) => ({ name: tableNameOf(definition.modelName), definition })),
    );
    const jobTableName = tableNameOf('Job');
    const jobTableStreamArn = streamArns.get(jobTableName);
    const batchTableStreamArn = streamArns.get(tableNameOf('Batch'));
    if (!jobTableStreamArn || !batchTableStreamArn)
      throw new Error(
        `data plane: the transformer must define a Job and a Batch table, but defined ${[...streamArns.keys()].join(', ')}`,
      );

    const workerCredentials = {
      accessKeyId: `LOCALWORKER${randomBytes(4).toString('hex').toUpperCase()}`,
      secretAccessKey: randomBytes(20).toString('hex'),
    };
    const appsync = await startAppSyncServer({
      api,
      port: graphqlPort,
      dynamodb: {
        endpoint: dynamo.endpoint,
        region: LOCAL_REGION,
        credentials: LOCAL_AWS_CREDENTIALS,
      },
      tableNameOf,
      lambdaResolvers: options.lambdaResolvers ?? {},
      log,
      auth: {
        verifyUserPoolToken: (token) => cognito.verifyToken(token),
        workerCredentials,
        region: LOCAL_REGION,
      },
    });
    stops.push(appsync.stop);
    log(`data plane: AppSync simulator listening at ${elapsed()}`);

    return {
      dynamodb: {
        endpoint: dynamo.endpoint,
        region: LOCAL_REGION,
        jobTableName,
        jobTableStreamArn,
        batchTableName: tableNameOf('Batch'),
        batchTableStreamArn,
        spendLedgerTableName: tableNameOf('SpendLedger'),
        renderSlotTableName: tableNameOf('RenderSlot'),
      },
      cognito: {
        endpoint: cognito.endpoint,
        region: LOCAL_REGION,
        userPoolId: cognito.userPoolId,
        userPoolClientId: cognito.userPoolClientId,
        createUser: (email, password, createOptions) =>
          cognito.createUser(email, password, createOptions),
        signIn: (email, password) => cognito.signIn(email, password),
      },
      graphql: {
        url: appsync.url,
        realtimeUrl: appsync.realtimeUrl,
        region: LOCAL_REGION,
        modelIntrospection,
      },
      workerCredentials,
      async restartDynamoDb(downForMs = 0) {
        const downAt = Date.now();
        await currentDynamo?.kill();
        currentDynamo = undefined;
        if (downForMs > 0) await new Promise((done) => setTimeout(done, downForMs));
        currentDynamo = await startDynamo();
        log(
          `data plane: DynamoDB Local killed and answering again after ${Date.now() - downAt} ms`,
        );
      },
      stop: stopAll,
    };
  } catch (error) {
    await started;
    await stopAll();
    throw error;
  }
}

/**
 * The `auth` and `data` parts of `amplify_outputs.json` (the format `ampx` writes) for this plane. The Amplify
 * client also needs `Auth.Cognito.userPoolEndpoint = plane.cognito.endpoint` and the `USER_PASSWORD_AUTH` flow.
 */
export function toAmplifyOutputs(plane: Pick<DataPlane, 'cognito' | 'graphql'>) {
  return {
    version: '1.4',
    auth: {
      aws_region: plane.cognito.region,
      user_pool_id: plane.cognito.userPoolId,
      user_pool_client_id: plane.cognito.userPoolClientId,
      username_attributes: ['email'],
      standard_required_attributes: ['email'],
      user_verification_types: ['email'],
      unauthenticated_identities_enabled: false,
      mfa_configuration: 'NONE',
      mfa_methods: [],
      password_policy: {
        min_length: 8,
        require_lowercase: false,
        require_numbers: false,
        require_symbols: false,
        require_uppercase: false,
      },
    },
    data: {
      url: plane.graphql.url,
      aws_region: plane.graphql.region,
      default_authorization_type: 'AMAZON_COGNITO_USER_POOLS',
      authorization_types: ['AWS_IAM'],
      model_introspection: plane.graphql.modelIntrospection,
    },
  } as const;
}

/** Checks a requested port is free on loopback (one clear line if not), or picks a free one for 0/undefined. */
async function claimPort(requested: number | undefined, service: string): Promise<number> {
  return await new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) =>
      fail(
        error.code === 'EADDRINUSE'
          ? new Error(
              `${service}: port ${requested} is already in use. Stop whatever uses it or choose another port.`,
            )
          : error,
      ),
    );
    probe.listen(requested ?? 0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => done(port));
    });
  });
}
