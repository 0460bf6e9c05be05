import {
  buildSchema,
  parse,
  validate,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { getVariableValues } from 'graphql/execution/values';
import { beforeAll, describe, expect, it } from 'vitest';
import { schema as dataSchema } from '../../../amplify/data/resource';
import { createAppSyncJobStore } from '../../../amplify/functions/render-worker/appsync-job-store';
import { transformDataSchema } from '../../../local/appsync/transform-data-schema';

// AppSync's built-in scalars and directives, which the transformer's output uses but does not declare.
const APPSYNC_PRELUDE = `
scalar AWSJSON scalar AWSDateTime scalar AWSDate scalar AWSTime scalar AWSTimestamp
scalar AWSEmail scalar AWSURL scalar AWSPhone scalar AWSIPAddress
directive @aws_iam on FIELD_DEFINITION | OBJECT
directive @aws_cognito_user_pools(cognito_groups: [String]) on FIELD_DEFINITION | OBJECT
directive @aws_api_key on FIELD_DEFINITION | OBJECT
directive @aws_subscribe(mutations: [String]) on FIELD_DEFINITION
`;

/** The AppSync schema Amplify's own transformer generates from `amplify/data/resource.ts` (as local mode serves it). */
const generateAppSyncSchema = (): GraphQLSchema => {
  const api = transformDataSchema(dataSchema.transform().schema, {
    apiId: 'worker-documents',
    tableNameOf: (model) => model,
  });
  return buildSchema(APPSYNC_PRELUDE + api.schema);
};

describe('AppSync documents of the job store', () => {
  let appSyncSchema: GraphQLSchema;
  beforeAll(() => {
    appSyncSchema = generateAppSyncSchema();
  }, 120_000);

  it('sends only documents and variables the generated AppSync schema accepts', async () => {
    const sent: { query: string; variables: Record<string, unknown> }[] = [];
    const store = createAppSyncJobStore(async (query, variables) => {
      sent.push({ query, variables });
      if (query.includes('getJob')) return { getJob: null };
      if (query.includes('updateJob')) return { updateJob: { id: 'job-1' } };
      const page = { items: [{ id: 'job-1', owner: 'sub-1', status: null }], nextToken: null };
      return {
        listJobs: page,
        listJobsByStatusAndCreatedAt: page,
        listJobsByOwnerAndCreatedAt: page,
      };
    });

    await store.get('job-1');
    await store.update(
      'job-1',
      { status: 'QUEUED', renderId: null },
      { status: 'RENDERING', startedAt: '2026-01-01T00:00:00.000Z', progress: 0 },
    );
    await store.update(
      'job-1',
      { status: 'RENDERING', renderId: null, startedAt: '2026-01-01T00:00:00.000Z' },
      { status: 'QUEUED', startedAt: null },
    );
    await store.update(
      'job-1',
      { status: 'RENDERING', renderId: 'r-1' },
      { status: 'SUCCEEDED', outputBucket: 'b', outputKey: 'k', outputSizeBytes: 1, costUsd: 0.1 },
    );
    await store.listActiveJobs();
    await store.listRenderingJobs();
    await store.listActiveJobsOfOwner(
      { id: 'job-1', owner: 'sub-1', createdAt: '2026-01-01T00:00:00.000Z' },
      4,
    );

    expect(sent).toHaveLength(7);
    for (const { query, variables } of sent) {
      const document = parse(query);
      expect(validate(appSyncSchema, document).map((error) => error.message)).toEqual([]);
      const operation = document.definitions[0] as OperationDefinitionNode;
      const coerced = getVariableValues(
        appSyncSchema,
        operation.variableDefinitions ?? [],
        variables,
      );
      expect(coerced.errors?.map((error) => error.message) ?? []).toEqual([]);
    }
  });
});
