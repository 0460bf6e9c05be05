import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { Duplex } from 'node:stream';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';
import {
  AmplifyAppSyncSimulator,
  AmplifyAppSyncSimulatorAuthenticationType,
  RESOLVER_KIND,
  type AmplifyAppSyncSimulatorConfig,
} from '@aws-amplify/amplify-appsync-simulator';
import { filterSubscriptionsByOwner, publishMutationSelections } from './subscription-events';
import type { TransformedApi } from './transform-data-schema';

/** What the gate needs to know about callers. */
export interface AppSyncAuth {
  /** Verifies a user-pool JWT (signature, issuer, expiry); rejects when invalid. */
  verifyUserPoolToken(token: string): Promise<unknown>;
  /** The only IAM principal local mode has: the render worker. */
  workerCredentials: { accessKeyId: string; secretAccessKey: string };
  region: string;
}

/** A running AppSync simulator. */
export interface AppSyncServer {
  url: string;
  realtimeUrl: string;
  stop(): Promise<void>;
}

/** The worker's identity as the resolvers see it: an assumed Lambda role, like `allow.resource(renderWorker)` in the cloud. */
const WORKER_ROLE = 'assumed-role/render-worker-role/render-worker';

/**
 * Starts Amplify's AppSync simulator on 127.0.0.1 with the transformer's resolvers, behind a gate that does what
 * AppSync does and the simulator does not: verifies JWT signatures and SigV4 signatures, reads the auth header
 * the Amplify client sends in the WebSocket subprotocol, sends subscribers only the fields the mutation selected,
 * and delivers owner-scoped subscription events only to their owner (the simulator ignores `setSubscriptionFilter`).
 */
export async function startAppSyncServer(options: {
  api: TransformedApi;
  port: number;
  // Spread into the simulator's DynamoDBClient config (SDK v3 shape).
  dynamodb: {
    endpoint: string;
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
  };
  tableNameOf(modelName: string): string;
  lambdaResolvers: Record<string, (event: unknown) => Promise<unknown>>;
  auth: AppSyncAuth;
  log?: (line: string) => void;
}): Promise<AppSyncServer> {
  includeValuesInConditionExpressions();
  keepEmptyStrings();
  const simulator = new AmplifyAppSyncSimulator({ port: options.port });
  simulator.init(buildSimulatorConfig(options));
  publishMutationSelections(simulator);
  filterSubscriptionsByOwner(simulator);
  quietDynamoDbErrors(simulator, options.api, options.log ?? (() => {}));

  const internals = simulator as unknown as SimulatorInternals;
  const httpServer = internals._server._httpServer;
  // The simulator listens on all interfaces; local mode keeps everything on loopback.
  const listen = httpServer.listen.bind(httpServer) as (port: number, host: string) => Server;
  (httpServer as unknown as { listen: (port: number) => Server }).listen = (port: number) =>
    listen(port, '127.0.0.1');
  try {
    await simulator.start();
  } catch (error) {
    if (error instanceof Error && /already in use/.test(error.message)) {
      throw new Error(
        `AppSync simulator: port ${options.port} is already in use. Stop whatever uses it or choose another port.`,
      );
    }
    throw error;
  }
  const connectionCallers = installGate(httpServer, options.auth);
  const realtime = internals._server._realTimeSubscriptionServer.realtimeServer.options;
  const onSubscribe = realtime.onSubscribeHandler;
  realtime.onSubscribeHandler = async (doc, variables, headers, request, operationName) => {
    // Each subscription carries its own auth; verify it like the connection's. A start message has no
    // signed body to check, so IAM is taken only on a connection whose own signature was the worker's.
    try {
      const caller = await verifyCaller(
        headerValue(headers, 'authorization'),
        options.auth,
        undefined,
      );
      if (caller.kind === 'worker' && connectionCallers.get(request)?.kind !== 'worker')
        throw new UnauthorizedError('IAM subscriptions need a connection signed by the worker');
    } catch (error) {
      // Answered as an error: a throw here would leave the start message without any answer.
      return {
        data: null,
        errors: [
          {
            errorType: 'UnauthorizedException',
            message: error instanceof Error ? error.message : String(error),
          },
        ],
      };
    }
    return await onSubscribe(doc, variables, headers, request, operationName);
  };

  const address = httpServer.address();
  if (!address || typeof address === 'string')
    throw new Error('AppSync simulator: server has no TCP address');
  const url = `http://127.0.0.1:${address.port}/graphql`;
  return {
    url,
    realtimeUrl: `ws://127.0.0.1:${address.port}/graphql/realtime`,
    async stop() {
      httpServer.closeAllConnections();
      await simulator.stop();
    },
  };
}

const DYNAMODB_OPERATIONS = {
  GetItem: 'getItem',
  PutItem: 'putItem',
  UpdateItem: 'updateItem',
  DeleteItem: 'deleteItem',
  Query: 'query',
  Scan: 'scan',
} as const;

type DynamoDbLoader = { load(payload: { operation: string }): Promise<unknown> } & Record<
  (typeof DYNAMODB_OPERATIONS)[keyof typeof DYNAMODB_OPERATIONS],
  (payload: unknown) => Promise<unknown>
>;

/**
 * The simulator prints every failed DynamoDB call with its whole request (about 40 lines), and a failed condition is
 * routine for the worker's compare-and-set writes. Failed conditions stay quiet; other errors become one log line.
 */
function quietDynamoDbErrors(
  simulator: AmplifyAppSyncSimulator,
  api: TransformedApi,
  log: (line: string) => void,
): void {
  for (const source of api.dataSources.filter(
    (candidate) => candidate.type === 'AMAZON_DYNAMODB',
  )) {
    const loader = simulator.getDataLoader(source.name) as unknown as DynamoDbLoader;
    const load = loader.load.bind(loader);
    loader.load = async (payload) => {
      const method = DYNAMODB_OPERATIONS[payload.operation as keyof typeof DYNAMODB_OPERATIONS];
      if (!method) return await load(payload);
      try {
        return await loader[method](payload);
      } catch (error) {
        if (error instanceof Error && error.name) {
          Object.assign(error, { extensions: { errorType: `DynamoDB:${error.name}` } });
          if (error.name !== 'ConditionalCheckFailedException') {
            log(
              `appsync: DynamoDB ${payload.operation} on ${source.name} failed: ${error.name}: ${error.message}`,
            );
          }
        }
        throw error;
      }
    };
  }
}

/**
 * The simulator's `$util.transform.toDynamoDBConditionExpression` drops `expressionValues`, so every conditional
 * write that compares a value (`status = :QUEUED`) fails with "An expression attribute value used in expression is
 * not defined". AppSync returns them; this makes the simulator do the same, using its own filter generator.
 */
function includeValuesInConditionExpressions(): void {
  const requireFromHere = createRequire(import.meta.url);
  const { transformUtils } = requireFromHere(
    '@aws-amplify/amplify-appsync-simulator/lib/velocity/util/transform/index.js',
  ) as {
    transformUtils: { toDynamoDBConditionExpression(condition: { toJSON(): unknown }): string };
  };
  const { generateFilterExpression } = requireFromHere(
    '@aws-amplify/amplify-appsync-simulator/lib/velocity/util/transform/dynamodb-filter.js',
  ) as {
    generateFilterExpression(filter: unknown): {
      expressions: string[];
      expressionNames: Record<string, string>;
      expressionValues: Record<string, unknown>;
    };
  };
  transformUtils.toDynamoDBConditionExpression = (condition) => {
    const result = generateFilterExpression(condition.toJSON());
    const expression = result.expressions.join(' ').trim();
    // `attributeExists` yields a value the expression never uses; DynamoDB rejects unused values.
    const expressionValues = Object.fromEntries(
      Object.entries(result.expressionValues).filter(([name]) =>
        new RegExp(`${name}(?![\\w])`).test(expression),
      ),
    );
    return JSON.stringify({
      expression,
      expressionNames: result.expressionNames,
      expressionValues,
    });
  };
}

/**
 * The simulator marshals values for DynamoDB with `convertEmptyValues`, DynamoDB's rule before 2020, so every
 * empty string in an item (a `subtitle: ''` inside `inputProps`) is stored as NULL and read back as `null`.
 * AppSync and DynamoDB keep empty strings; this makes the simulator do the same.
 */
function keepEmptyStrings(): void {
  const requireFromSimulator = createRequire(
    createRequire(import.meta.url).resolve('@aws-amplify/amplify-appsync-simulator'),
  );
  const { dynamodbUtils } = requireFromSimulator('./velocity/util/dynamodb-utils.js') as {
    dynamodbUtils: { toDynamoDB(value: unknown): unknown };
  };
  const { toJSON } = requireFromSimulator('./velocity/value-mapper/to-json.js') as {
    toJSON(value: unknown): unknown;
  };
  const { marshall } = requireFromSimulator('@aws-sdk/util-dynamodb') as {
    marshall(value: unknown, options?: { removeUndefinedValues?: boolean }): unknown;
  };
  dynamodbUtils.toDynamoDB = (value) => {
    const json = toJSON(value);
    if (Array.isArray(json)) return { L: marshall(json, { removeUndefinedValues: true }) };
    if (json !== null && typeof json === 'object')
      return { M: marshall(json, { removeUndefinedValues: true }) };
    return marshall(json, { removeUndefinedValues: true });
  };
}

/**
 * The simulator's VTL engine has no `$extensions`; the subscription filters it would set are applied by
 * {@link filterSubscriptionsByOwner} instead, so those lines are dropped.
 */
function withoutSubscriptionFilters(template: string): string {
  return template.replace(/^\s*\$extensions\.setSubscriptionFilter\(.*\)\s*$/gm, '');
}

function buildSimulatorConfig(
  options: Parameters<typeof startAppSyncServer>[0],
): AmplifyAppSyncSimulatorConfig {
  const api = {
    ...options.api,
    resolvers: options.api.resolvers.map((resolver) => ({
      ...resolver,
      responseMappingTemplate: withoutSubscriptionFilters(resolver.responseMappingTemplate),
    })),
    functions: options.api.functions.map((fn) => ({
      ...fn,
      responseMappingTemplate: withoutSubscriptionFilters(fn.responseMappingTemplate),
    })),
  };
  const fieldsByDataSource = new Map<string, string[]>();
  for (const resolver of api.resolvers) {
    const sources = resolver.dataSourceName
      ? [resolver.dataSourceName]
      : (resolver.functions ?? []).map(
          (name) => api.functions.find((fn) => fn.name === name)?.dataSourceName,
        );
    for (const source of sources)
      if (source)
        fieldsByDataSource.set(source, [
          ...(fieldsByDataSource.get(source) ?? []),
          resolver.fieldName,
        ]);
  }
  return {
    schema: { content: api.schema },
    appSync: {
      name: 'render-studio-local',
      defaultAuthenticationType: {
        authenticationType: AmplifyAppSyncSimulatorAuthenticationType.AMAZON_COGNITO_USER_POOLS,
        cognitoUserPoolConfig: {},
      },
      additionalAuthenticationProviders: [
        { authenticationType: AmplifyAppSyncSimulatorAuthenticationType.AWS_IAM },
      ],
      authAccessKeyId: options.auth.workerCredentials.accessKeyId,
      authRoleName: WORKER_ROLE,
      accountId: '123456789012',
    },
    dataSources: api.dataSources.map((source) => {
      if (source.type === 'AMAZON_DYNAMODB') {
        return {
          name: source.name,
          type: 'AMAZON_DYNAMODB' as const,
          // The simulator's type says v2 fields, but it spreads the config into an SDK v3 client.
          config: {
            ...options.dynamodb,
            tableName: options.tableNameOf(source.modelName ?? source.name),
          } as unknown as { endpoint: string; tableName: string },
        };
      }
      if (source.type === 'AWS_LAMBDA') {
        const fields = fieldsByDataSource.get(source.name) ?? [];
        return {
          name: source.name,
          type: 'AWS_LAMBDA' as const,
          invoke: async (payload: { fieldName?: string }) => {
            const handler =
              (payload.fieldName && options.lambdaResolvers[payload.fieldName]) ||
              (source.functionName && options.lambdaResolvers[source.functionName]) ||
              fields.map((field) => options.lambdaResolvers[field]).find(Boolean);
            if (!handler) {
              throw new Error(
                `No local handler for Lambda data source ${source.name} (fields ${fields.join(', ')}); pass it in lambdaResolvers`,
              );
            }
            return await handler(payload);
          },
        };
      }
      return { name: source.name, type: 'NONE' as const };
    }),
    functions: api.functions.map((fn) => ({
      name: fn.name,
      dataSourceName: fn.dataSourceName,
      requestMappingTemplateLocation: `functions/${fn.name}.req.vtl`,
      responseMappingTemplateLocation: `functions/${fn.name}.res.vtl`,
    })),
    // Every template by location: the simulator parses those once, but inline ones on every request.
    mappingTemplates: [
      ...api.functions.flatMap((fn) => [
        { path: `functions/${fn.name}.req.vtl`, content: fn.requestMappingTemplate },
        { path: `functions/${fn.name}.res.vtl`, content: fn.responseMappingTemplate },
      ]),
      ...api.resolvers.flatMap((resolver) => [
        { path: resolverTemplatePath(resolver, 'req'), content: resolver.requestMappingTemplate },
        { path: resolverTemplatePath(resolver, 'res'), content: resolver.responseMappingTemplate },
      ]),
    ],
    resolvers: api.resolvers.map((resolver) => {
      const templates = {
        typeName: resolver.typeName,
        fieldName: resolver.fieldName,
        requestMappingTemplateLocation: resolverTemplatePath(resolver, 'req'),
        responseMappingTemplateLocation: resolverTemplatePath(resolver, 'res'),
      };
      return resolver.functions
        ? { kind: RESOLVER_KIND.PIPELINE, ...templates, functions: resolver.functions }
        : {
            kind: RESOLVER_KIND.UNIT,
            ...templates,
            dataSourceName: resolver.dataSourceName ?? 'NONE_DS',
          };
    }),
  };
}

const resolverTemplatePath = (
  resolver: { typeName: string; fieldName: string },
  kind: 'req' | 'res',
) => `resolvers/${resolver.typeName}.${resolver.fieldName}.${kind}.vtl`;

/** Who is calling, once verified. */
type Caller = { kind: 'worker' } | { kind: 'user'; claims: Record<string, unknown> };

async function verifyCaller(
  authorization: string | undefined,
  auth: AppSyncAuth,
  request: SignedRequest | undefined,
): Promise<Caller> {
  if (!authorization) throw new UnauthorizedError('Missing authorization');
  if (authorization.startsWith('AWS4-HMAC-SHA256')) {
    const accessKeyId = /Credential=([^/]+)\//.exec(authorization)?.[1];
    if (accessKeyId !== auth.workerCredentials.accessKeyId)
      throw new UnauthorizedError(`Unknown IAM access key ${accessKeyId ?? '(none)'}`);
    if (request && !(await hasValidSignature(request, auth)))
      throw new UnauthorizedError('IAM signature does not match');
    return { kind: 'worker' };
  }
  try {
    return {
      kind: 'user',
      claims: (await auth.verifyUserPoolToken(authorization.replace(/^Bearer /, ''))) as Record<
        string,
        unknown
      >,
    };
  } catch (error) {
    throw new UnauthorizedError(
      `Invalid user pool token: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

class UnauthorizedError extends Error {}

interface SignedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** Re-signs the request with the worker's secret and compares signatures, as AppSync's IAM check does. */
async function hasValidSignature(request: SignedRequest, auth: AppSyncAuth): Promise<boolean> {
  const authorization = request.headers.authorization ?? '';
  const signedHeaders = /SignedHeaders=([^,]+)/.exec(authorization)?.[1]?.split(';') ?? [];
  const expected = /Signature=([0-9a-f]+)/.exec(authorization)?.[1];
  const amzDate = request.headers['x-amz-date'];
  const scope = /Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\//.exec(authorization);
  const [, region, service] = scope ?? [];
  if (!expected || !amzDate || !region || !service) return false;
  const headers: Record<string, string> = {};
  for (const name of signedHeaders)
    if (request.headers[name] !== undefined) headers[name] = request.headers[name];
  const [host, port] = (headers.host ?? '').split(':');
  const signer = new SignatureV4({
    credentials: auth.workerCredentials,
    region,
    service,
    sha256: Sha256,
  });
  const signed = await signer.sign(
    new HttpRequest({
      method: request.method,
      protocol: 'http:',
      hostname: host,
      port: port ? Number(port) : undefined,
      path: request.path,
      headers,
      body: request.body,
    }),
    {
      signingDate: parseAmzDate(amzDate),
      // Sign exactly the headers the caller signed (the signer would add x-amz-content-sha256).
      unsignableHeaders: new Set(['x-amz-content-sha256']),
      signableHeaders: new Set(signedHeaders),
    },
  );
  return signed.headers.authorization?.endsWith(`Signature=${expected}`) ?? false;
}

function parseAmzDate(value: string): Date {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!match) return new Date(NaN);
  return new Date(`${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6]}Z`);
}

/**
 * Wraps the simulator's request and upgrade listeners with authentication; returns who opened each realtime
 * connection (keyed by its upgrade request, which the simulator hands to every subscription start).
 */
function installGate(httpServer: Server, auth: AppSyncAuth): WeakMap<IncomingMessage, Caller> {
  const connectionCallers = new WeakMap<IncomingMessage, Caller>();
  const requestListeners = httpServer.listeners('request') as ((
    req: IncomingMessage,
    res: ServerResponse,
  ) => void)[];
  httpServer.removeAllListeners('request');
  httpServer.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST' || !req.url?.startsWith('/graphql')) {
      for (const listener of requestListeners) listener(req, res);
      return;
    }
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks).toString('utf8');
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers))
        if (typeof value === 'string') headers[name] = value;
      await verifyCaller(headers.authorization, auth, {
        method: 'POST',
        path: req.url ?? '/graphql',
        headers,
        body,
      });
      // Hand the parsed body on; express' JSON parser skips requests already read.
      Object.assign(req, { body: JSON.parse(body) as unknown, _body: true });
      for (const listener of requestListeners) listener(req, res);
    })().catch((error: unknown) => {
      const unauthorized = error instanceof UnauthorizedError;
      res
        .writeHead(unauthorized ? 401 : 400, {
          'content-type': 'application/json',
          'access-control-allow-origin': '*',
        })
        .end(
          JSON.stringify({
            errors: [
              {
                errorType: unauthorized ? 'UnauthorizedException' : 'BadRequestException',
                message: String(error instanceof Error ? error.message : error),
              },
            ],
          }),
        );
    });
  });

  const upgradeListeners = httpServer.listeners('upgrade') as ((
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
  ) => void)[];
  httpServer.removeAllListeners('upgrade');
  httpServer.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const protocols = String(req.headers['sec-websocket-protocol'] ?? '')
        .split(',')
        .map((p) => p.trim());
      // The Amplify client sends its auth headers base64url-encoded in a `header-…` subprotocol; older clients in `?header=`.
      const encoded =
        protocols.find((p) => p.startsWith('header-'))?.slice('header-'.length) ??
        url.searchParams.get('header') ??
        '';
      const authHeaders = encoded
        ? (JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as Record<string, string>)
        : {};
      // An IAM connection is signed as a POST of `{}` to `<graphql path>/connect` (AppSync's realtime protocol).
      const signedHeaders = Object.fromEntries(
        Object.entries(authHeaders).map(([name, value]) => [name.toLowerCase(), String(value)]),
      );
      const caller = await verifyCaller(headerValue(authHeaders, 'authorization'), auth, {
        method: 'POST',
        path: url.pathname.replace(/\/realtime$/, '/connect'),
        headers: signedHeaders,
        body: '{}',
      });
      connectionCallers.set(req, caller);
      url.searchParams.set('header', Buffer.from(JSON.stringify(authHeaders)).toString('base64'));
      req.url = `${url.pathname}${url.search}`;
      req.headers['sec-websocket-protocol'] = 'graphql-ws';
      for (const listener of upgradeListeners) listener(req, socket, head);
    })().catch(() => {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
    });
  });
  return connectionCallers;
}

function headerValue(
  headers: Record<string, unknown> | undefined,
  name: string,
): string | undefined {
  const key = Object.keys(headers ?? {}).find((header) => header.toLowerCase() === name);
  const value = key ? headers?.[key] : undefined;
  return typeof value === 'string' ? value : undefined;
}

/** The simulator's internals this module relies on (stable across 2.x; checked at start-up by use). */
interface SimulatorInternals {
  _server: {
    _httpServer: Server;
    _realTimeSubscriptionServer: {
      realtimeServer: {
        options: {
          onSubscribeHandler: (
            doc: unknown,
            variables: unknown,
            headers: Record<string, unknown>,
            request: IncomingMessage,
            operationName?: string,
          ) => Promise<unknown>;
        };
      };
    };
  };
}
