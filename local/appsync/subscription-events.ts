import { AsyncLocalStorage } from 'node:async_hooks';
// Types only: graphql-js's predicates (`isObjectType`, …) check class identity, and the simulator's schema may be
// built by another copy of graphql (its CommonJS one, beside the ES module one Vite loads); this module reads shapes.
import type {
  FieldNode,
  GraphQLCompositeType,
  GraphQLOutputType,
  GraphQLResolveInfo,
  GraphQLSchema,
  SelectionNode,
  SelectionSetNode,
} from 'graphql';
import { AmplifyAppSyncSimulatorAuthenticationType } from '@aws-amplify/amplify-appsync-simulator';

/** What a projection needs from the operation that selected the fields. */
type SelectionContext = Pick<GraphQLResolveInfo, 'schema' | 'fragments' | 'variableValues'>;

/** The parts of the simulator this module changes (its schema's root fields and its event bus). */
export interface SubscriptionSimulator {
  schema: GraphQLSchema;
  pubsub: {
    publish(trigger: string, payload: unknown): Promise<void>;
    asyncIterator<T>(trigger: string): AsyncIterator<T>;
  };
}

/** Events as published by {@link publishMutationSelections}: a field they lack was not selected by the mutation. */
const selectedEvents = new WeakSet<object>();

/**
 * AppSync sends subscribers the mutation's response, not the stored item: a field the mutation did not select
 * arrives null (and a non-null one fails the event, "Cannot return null for non-nullable …"). The simulator
 * publishes the whole item; this makes it publish only what the triggering mutation selected, nested fields too.
 */
export function publishMutationSelections(simulator: SubscriptionSimulator): void {
  const running = new AsyncLocalStorage<GraphQLResolveInfo>();
  for (const field of Object.values(simulator.schema.getMutationType()?.getFields() ?? {})) {
    const resolve = field.resolve;
    if (!resolve) continue;
    field.resolve = (source, args, context, info) =>
      running.run(info, () => resolve(source, args, context, info));
  }
  const { pubsub } = simulator;
  const publish = pubsub.publish.bind(pubsub);
  pubsub.publish = async (trigger, payload) => {
    const mutation = running.getStore();
    await publish(
      trigger,
      mutation
        ? selectFields(payload, mutation.fieldNodes, mutation.returnType, mutation)
        : payload,
    );
  };
  // A field the mutation did not select stays null for subscribers even where a field resolver (Job.owner) would
  // compute it: AppSync has only the mutation's response, not the item, to answer from.
  const { schema } = simulator;
  const roots = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()];
  for (const type of Object.values(schema.getTypeMap())) {
    if (
      !hasFields(type) ||
      type.name.startsWith('__') ||
      roots.some((root) => root?.name === type.name)
    )
      continue;
    for (const field of Object.values(type.getFields())) {
      const resolve = 'resolve' in field ? field.resolve : undefined;
      if (!resolve) continue;
      field.resolve = (source: unknown, args, context, info) =>
        isObject(source) && selectedEvents.has(source) && !(field.name in source)
          ? null
          : resolve(source, args, context, info);
    }
  }
}

/**
 * `value` (a resolver's result) reduced to the fields `fieldNodes` select, following fragments, `@skip`/`@include`
 * and nested selections into objects and lists. Aliases select the field they name.
 */
export function selectFields(
  value: unknown,
  fieldNodes: readonly FieldNode[],
  type: GraphQLOutputType,
  context: SelectionContext,
): unknown {
  if (Array.isArray(value))
    return value.map((item: unknown) => selectFields(item, fieldNodes, type, context));
  const named = namedTypeOf(type);
  if (!isObject(value) || !isCompositeType(named)) return value;
  const fields = new Map<string, { nodes: FieldNode[]; type: GraphQLOutputType | undefined }>();
  for (const node of fieldNodes)
    if (node.selectionSet) collectFields(named, node.selectionSet, context, fields, new Set());
  const selected: Record<string, unknown> = {};
  for (const [name, field] of fields) {
    if (!(name in value)) continue;
    selected[name] = field.type
      ? selectFields(value[name], field.nodes, field.type, context)
      : value[name];
  }
  selectedEvents.add(selected);
  return selected;
}

function collectFields(
  parent: GraphQLCompositeType,
  selectionSet: SelectionSetNode,
  context: SelectionContext,
  fields: Map<string, { nodes: FieldNode[]; type: GraphQLOutputType | undefined }>,
  visitedFragments: Set<string>,
): void {
  for (const selection of selectionSet.selections) {
    if (isSkipped(selection, context.variableValues)) continue;
    if (selection.kind === 'Field') {
      const name = selection.name.value;
      if (name === '__typename') continue;
      // A union has no fields of its own; its members' fields come through fragments.
      const fieldType = hasFields(parent) ? parent.getFields()[name]?.type : undefined;
      const entry = fields.get(name) ?? { nodes: [], type: fieldType };
      entry.nodes.push(selection);
      fields.set(name, entry);
      continue;
    }
    const fragment =
      selection.kind === 'InlineFragment'
        ? selection
        : visitedFragments.has(selection.name.value)
          ? undefined
          : context.fragments[selection.name.value];
    if (!fragment) continue;
    if (selection.kind === 'FragmentSpread') visitedFragments.add(selection.name.value);
    const condition = fragment.typeCondition
      ? context.schema.getType(fragment.typeCondition.name.value)
      : parent;
    // Without the runtime type of an abstract value, every fragment that could apply is kept.
    if (condition && isCompositeType(condition))
      collectFields(condition, fragment.selectionSet, context, fields, visitedFragments);
  }
}

/** `@skip(if: true)` or `@include(if: false)`, with a literal or a variable. */
function isSkipped(node: SelectionNode, variables: Record<string, unknown>): boolean {
  const condition = (directive: 'skip' | 'include') => {
    const value = node.directives
      ?.find((candidate) => candidate.name.value === directive)
      ?.arguments?.find((argument) => argument.name.value === 'if')?.value;
    if (value?.kind === 'BooleanValue') return value.value;
    if (value?.kind === 'Variable') return variables[value.name.value] === true;
    return undefined;
  };
  return condition('skip') === true || condition('include') === false;
}

function namedTypeOf(type: GraphQLOutputType): GraphQLOutputType {
  let named = type;
  while ('ofType' in named && named.ofType) named = named.ofType;
  return named;
}

/** An object or interface type (input objects have fields too, but never as a selection's type). */
function hasFields(type: unknown): type is Extract<GraphQLCompositeType, { getFields: unknown }> {
  return typeof (type as { getFields?: unknown } | null)?.getFields === 'function';
}

function isCompositeType(type: unknown): type is GraphQLCompositeType {
  return hasFields(type) || typeof (type as { getTypes?: unknown } | null)?.getTypes === 'function';
}

/** The subscription context the simulator builds for each subscriber. */
interface SubscriberContext {
  appsyncErrors: unknown[];
  requestAuthorizationMode: string;
  jwt?: Record<string, unknown>;
}

/**
 * Replaces the simulator's subscription sources (which deliver every event to everyone) with ones that apply the
 * owner rule AppSync applies as a subscription filter: a user-pool subscriber to a model with owner auth gets an
 * event only when the event's owner field (as the mutation selected it) names them; IAM subscribers get all.
 */
export function filterSubscriptionsByOwner(simulator: SubscriptionSimulator): void {
  const subscriptionType = simulator.schema.getSubscriptionType();
  if (!subscriptionType) return;
  for (const [name, field] of Object.entries(subscriptionType.getFields())) {
    // The transformer gives an owner-scoped subscription one argument per owner field, beside `filter`.
    const ownerFields = field.args.map((arg) => arg.name).filter((arg) => arg !== 'filter');
    field.subscribe = (_source, _args, context: SubscriberContext) => {
      if (context.appsyncErrors.length > 0) throw new Error('Subscription failed');
      const events = simulator.pubsub.asyncIterator<Record<string, unknown> | null>(name);
      return filterEvents(events, (event) => isVisibleTo(event, context, ownerFields));
    };
  }
}

/** True when a subscriber may receive `event` of a subscription whose model has these owner fields. */
export function isVisibleTo(
  event: Record<string, unknown> | null | undefined,
  subscriber: Pick<SubscriberContext, 'requestAuthorizationMode' | 'jwt'>,
  ownerFields: readonly string[],
): boolean {
  if (!event) return false;
  if (subscriber.requestAuthorizationMode === AmplifyAppSyncSimulatorAuthenticationType.AWS_IAM)
    return true;
  if (ownerFields.length === 0) return true; // no owner rule: the subscribe-time auth check decided
  const sub = subscriber.jwt?.sub;
  const username = subscriber.jwt?.['cognito:username'] ?? subscriber.jwt?.username;
  if (typeof sub !== 'string' || typeof username !== 'string') return false;
  const names = [`${sub}::${username}`, sub, username];
  // An owner the mutation did not select is null here, as in AppSync's filter: it matches no one.
  return ownerFields.some((field) => {
    const owner = event[field];
    const owners = Array.isArray(owner) ? owner : [owner];
    return owners.some((candidate) => typeof candidate === 'string' && names.includes(candidate));
  });
}

function filterEvents<T>(
  source: AsyncIterator<T>,
  keep: (event: T) => boolean,
): AsyncIterableIterator<T> {
  const iterator: AsyncIterableIterator<T> = {
    async next() {
      for (;;) {
        const result = await source.next();
        if (result.done || keep(result.value)) return result;
      }
    },
    async return() {
      return (await source.return?.()) ?? { done: true, value: undefined };
    },
    async throw(error?: unknown) {
      if (source.throw) return await source.throw(error);
      throw error;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
