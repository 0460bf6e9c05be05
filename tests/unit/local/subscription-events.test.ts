import { buildSchema, execute, parse, type GraphQLSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  isVisibleTo,
  publishMutationSelections,
  type SubscriptionSimulator,
} from '../../../local/appsync/subscription-events';

const SDL = /* GraphQL */ `
  type Query {
    ping: String
  }
  type Mutation {
    updateJob(id: ID!): Job
  }
  type Subscription {
    onUpdateJob: Job
  }
  type Job {
    id: ID!
    compositionId: String!
    status: String
    progress: Float
    owner: String
    output: Output
    steps: [Step]
  }
  type Output {
    bucket: String
    key: String
    sizeBytes: Int
  }
  type Step {
    name: String
    ms: Int
  }
`;

/** The whole item, as DynamoDB returns it to the mutation's resolver. */
const STORED = {
  id: 'job-1',
  compositionId: 'title-card',
  status: 'RENDERING',
  progress: 0.5,
  owner: 'sub-1::alice',
  output: { bucket: 'b', key: 'k', sizeBytes: 7 },
  steps: [
    { name: 'bundle', ms: 10 },
    { name: 'render', ms: 20 },
  ],
};

/**
 * A schema wired like the simulator's: the mutation resolver publishes its result to the subscription (as its
 * `@aws_subscribe` transformer does), the subscription returns the event, and `Job.owner` has a resolver of its
 * own (Amplify's owner field resolver keeps the part after `::`).
 */
function createSimulator() {
  const schema: GraphQLSchema = buildSchema(SDL);
  const published: unknown[] = [];
  const simulator: SubscriptionSimulator = {
    schema,
    pubsub: {
      publish: async (_trigger, payload) => void published.push(payload),
      asyncIterator: () => {
        throw new Error('not used by these tests');
      },
    },
  };
  schema.getMutationType()!.getFields().updateJob!.resolve = async () => {
    const result = structuredClone(STORED);
    await simulator.pubsub.publish('onUpdateJob', result);
    return result;
  };
  schema.getSubscriptionType()!.getFields().onUpdateJob!.resolve = (event: unknown) => event;
  const jobFields = (
    schema.getType('Job') as { getFields(): Record<string, { resolve?: unknown }> }
  ).getFields();
  jobFields.owner!.resolve = (job: { owner?: string | null }) =>
    job.owner == null ? 'resolver ran on a missing owner' : job.owner.split('::').at(-1);
  return { simulator, schema, published };
}

const mutate = async (schema: GraphQLSchema, mutation: string, variables = {}) =>
  execute({ schema, document: parse(mutation), variableValues: variables });

/** What a subscriber with `selection` receives for `event`: graphql-js runs the subscription over the event. */
const deliver = async (schema: GraphQLSchema, event: unknown, selection: string) =>
  execute({
    schema,
    document: parse(`subscription { onUpdateJob { ${selection} } }`),
    rootValue: event,
  });

describe('publishMutationSelections', () => {
  it('publishes only the fields the mutation selected, through fragments, aliases, directives, nested objects and lists', async () => {
    const { simulator, schema, published } = createSimulator();
    publishMutationSelections(simulator);

    const response = await mutate(
      schema,
      /* GraphQL */ `
        mutation Update($withSteps: Boolean!, $skipStatus: Boolean!) {
          updateJob(id: "job-1") {
            id
            ...Progress
            mine: owner
            output {
              key
            }
            steps @include(if: $withSteps) {
              name
            }
            status @skip(if: $skipStatus)
            __typename
          }
        }
        fragment Progress on Job {
          ... on Job {
            progress
          }
        }
      `,
      { withSteps: true, skipStatus: true },
    );

    expect(response.errors).toBeUndefined();
    expect(published).toEqual([
      {
        id: 'job-1',
        progress: 0.5,
        owner: 'sub-1::alice',
        output: { key: 'k' },
        steps: [{ name: 'bundle' }, { name: 'render' }],
      },
    ]);
    // The mutation's own caller still gets what it asked for.
    expect(response.data?.updateJob).toMatchObject({ id: 'job-1', mine: 'alice', progress: 0.5 });
  });

  it('gives subscribers null for unselected fields, also where a field resolver exists, and an error for a required one', async () => {
    const { simulator, schema, published } = createSimulator();
    publishMutationSelections(simulator);
    await mutate(schema, 'mutation { updateJob(id: "job-1") { id status } }');

    const nullable = await deliver(schema, published[0], 'id status progress owner output { key }');
    const required = await deliver(schema, published[0], 'id compositionId');

    expect(nullable).toEqual({
      data: {
        onUpdateJob: {
          id: 'job-1',
          status: 'RENDERING',
          progress: null,
          owner: null,
          output: null,
        },
      },
    });
    expect(required.data).toEqual({ onUpdateJob: null });
    expect(required.errors?.map((error) => error.message)).toEqual([
      'Cannot return null for non-nullable field Job.compositionId.',
    ]);
  });

  it('still runs field resolvers on the fields the mutation did select', async () => {
    const { simulator, schema, published } = createSimulator();
    publishMutationSelections(simulator);
    await mutate(schema, 'mutation { updateJob(id: "job-1") { id owner } }');

    expect(await deliver(schema, published[0], 'id owner')).toEqual({
      data: { onUpdateJob: { id: 'job-1', owner: 'alice' } },
    });
  });
});

describe('isVisibleTo', () => {
  const alice = {
    requestAuthorizationMode: 'AMAZON_COGNITO_USER_POOLS',
    jwt: { sub: 'sub-1', 'cognito:username': 'alice' },
  };
  const bob = {
    requestAuthorizationMode: 'AMAZON_COGNITO_USER_POOLS',
    jwt: { sub: 'sub-2', 'cognito:username': 'bob' },
  };
  const worker = { requestAuthorizationMode: 'AWS_IAM' };

  it("delivers an owner-scoped event to its owner only, in each form Amplify's owner rule accepts", () => {
    for (const owner of ['sub-1::alice', 'sub-1', 'alice'])
      expect([
        isVisibleTo({ owner }, alice, ['owner']),
        isVisibleTo({ owner }, bob, ['owner']),
      ]).toEqual([true, false]);
  });

  it('delivers an owner-scoped event whose mutation did not select owner to no user, but to IAM', () => {
    expect(isVisibleTo({ id: 'job-1' }, alice, ['owner'])).toBe(false);
    expect(isVisibleTo({ id: 'job-1', owner: null }, alice, ['owner'])).toBe(false);
    expect(isVisibleTo({ id: 'job-1' }, worker, ['owner'])).toBe(true);
  });

  it('delivers events of a model without an owner rule to any subscriber the subscribe-time check admitted', () => {
    expect(isVisibleTo({ id: 'slot-1' }, alice, [])).toBe(true);
  });

  it('matches any of several owner fields, and owner lists', () => {
    expect(
      isVisibleTo({ owner: 'x', editors: ['bob', 'alice'] }, alice, ['owner', 'editors']),
    ).toBe(true);
  });
});
