import {
  buildSchema,
  getNamedType,
  Kind,
  parse,
  validate,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { getVariableValues } from 'graphql/execution/values';
import { beforeAll, describe, expect, it } from 'vitest';
import { schema as dataSchema } from '../../../amplify/data/resource';
import { createAppSyncJobStore } from '../../../amplify/functions/render-worker/appsync-job-store';
import { transformDataSchema } from '../../../local/appsync/transform-data-schema';
import { JOB_SELECTION_SET } from '../../../src/features/jobs/api/jobs-api';

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
      const slot = { jobOwner: 'sub-1', slot: 0, jobId: 'job-1' };
      if (query.includes('createRenderSlot')) return { createRenderSlot: slot };
      if (query.includes('deleteRenderSlot')) return { deleteRenderSlot: slot };
      const page = { items: [{ id: 'job-1', owner: 'sub-1', status: null }], nextToken: null };
      return {
        listJobs: page,
        listJobsByStatusAndCreatedAt: page,
        listRenderSlots: { items: [slot], nextToken: null },
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
    await store.update(
      'job-1',
      { status: 'QUEUED' },
      { queueCheckedAt: '2026-01-01T00:05:00.000Z' },
    );
    await store.listRenderSlots('sub-1');
    await store.listRenderSlots();
    await store.createRenderSlot({ jobOwner: 'sub-1', slot: 0, jobId: 'job-1' });
    await store.deleteRenderSlot({ jobOwner: 'sub-1', slot: 0, jobId: 'job-1' });

    expect(sent).toHaveLength(11);
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

  // Subscribers get only what the triggering mutation selected, and owner-scoped subscriptions fire only when it
  // selected `owner` (tests/integration/subscription-events.test.ts): the worker's Job mutations must select both.
  it('selects in each Job mutation every field the studio reads, and owner', async () => {
    const sent: string[] = [];
    const store = createAppSyncJobStore(async (query) => {
      sent.push(query);
      return { updateJob: { id: 'job-1' } };
    });
    const studioSelection = parse(
      `subscription { onUpdateJob { ${JOB_SELECTION_SET.join(' ')} } }`,
    );

    await store.update(
      'job-1',
      { status: 'QUEUED', renderId: null },
      { status: 'RENDERING', startedAt: '2026-01-01T00:00:00.000Z', progress: 0 },
    );
    await store.update('job-1', { status: 'RENDERING', renderId: 'r-1' }, { progress: 0.5 });

    // The studio's list is a valid selection of the generated Job type (no field the schema lacks).
    expect(validate(appSyncSchema, studioSelection).map((error) => error.message)).toEqual([]);
    const jobMutations = sent.flatMap((query) => jobMutationSelections(appSyncSchema, query));
    expect(jobMutations.length).toBeGreaterThan(0);
    for (const { field, selected } of jobMutations) {
      const missing = [...JOB_SELECTION_SET, 'owner'].filter((name) => !selected.has(name));
      expect(missing, `${field} must select every field the studio reads, and owner`).toEqual([]);
    }
  });
});

/** The fields each root field of a mutation in `query` selects on the `Job` it returns. */
function jobMutationSelections(schema: GraphQLSchema, query: string) {
  const document = parse(query);
  const fragments = Object.fromEntries(
    document.definitions
      .filter((definition) => definition.kind === Kind.FRAGMENT_DEFINITION)
      .map((fragment) => [fragment.name.value, fragment]),
  );
  const mutationFields = schema.getMutationType()?.getFields() ?? {};
  return document.definitions
    .filter(
      (definition): definition is OperationDefinitionNode =>
        definition.kind === Kind.OPERATION_DEFINITION && definition.operation === 'mutation',
    )
    .flatMap((operation) => operation.selectionSet.selections)
    .filter((selection) => selection.kind === Kind.FIELD)
    .filter((field) => {
      const type = mutationFields[field.name.value]?.type;
      return type !== undefined && getNamedType(type).name === 'Job';
    })
    .map((field) => ({
      field: field.name.value,
      selected: fieldNamesOf(field.selectionSet, fragments),
    }));
}

/** Names of the fields a selection set selects at its own level, through fragments. */
function fieldNamesOf(
  selectionSet: SelectionSetNode | undefined,
  fragments: Record<string, FragmentDefinitionNode>,
): Set<string> {
  const names = new Set<string>();
  for (const selection of selectionSet?.selections ?? []) {
    if (selection.kind === Kind.FIELD) names.add(selection.name.value);
    const inner =
      selection.kind === Kind.INLINE_FRAGMENT
        ? selection.selectionSet
        : selection.kind === Kind.FRAGMENT_SPREAD
          ? fragments[selection.name.value]?.selectionSet
          : undefined;
    for (const name of inner ? fieldNamesOf(inner, fragments) : []) names.add(name);
  }
  return names;
}
