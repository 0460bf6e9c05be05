import { fetchAuthSession } from 'aws-amplify/auth';
import { generateClient } from 'aws-amplify/data';
import type { Schema } from '../../../../amplify/data/resource';
import { isAdmin } from '../../../../contract/admins';
import { dataOf } from '../../../lib/graphql-result';

/** The figures of the Operations view (`OperationsOverview` in the data schema). */
export type OperationsOverview = NonNullable<Schema['OperationsOverview']['type']>;
/** One kept dead letter (`DeadLetter`). */
export type DeadLetter = NonNullable<Schema['DeadLetter']['type']>;
/** What a redrive, discard or invitation did. */
export type OperationResult = NonNullable<Schema['OperationResult']['type']>;

/** What the Operations view asks of the backend; a fake stands in for it in component tests. */
export interface OperationsApi {
  /** True when the signed-in user's ID token names the admins group (the server checks again on every call). */
  isAdmin(): Promise<boolean>;
  getOverview(): Promise<OperationsOverview>;
  listDeadLetters(): Promise<DeadLetter[]>;
  /** One message by id, or every kept message when omitted. */
  redrive(messageId?: string): Promise<OperationResult>;
  discard(messageId: string): Promise<OperationResult>;
  invite(email: string): Promise<OperationResult>;
}

/** {@link OperationsApi} over the Amplify data client (AppSync in the cloud, the simulator in local mode). */
export function createAmplifyOperationsApi(client = generateClient<Schema>()): OperationsApi {
  return {
    async isAdmin() {
      const session = await fetchAuthSession();
      return isAdmin(session.tokens?.idToken?.payload as Record<string, unknown> | undefined);
    },
    getOverview: async () =>
      dataOf(await client.queries.getOperationsOverview(), 'Reading the figures'),
    listDeadLetters: async () =>
      (
        dataOf(
          await client.queries.listDeadLetters(),
          'Listing dead letters',
        ) as (DeadLetter | null)[]
      ).filter((letter): letter is DeadLetter => letter !== null),
    redrive: async (messageId) =>
      dataOf(
        await client.mutations.redriveDeadLetters(messageId ? { messageId } : {}),
        'Redriving',
      ),
    discard: async (messageId) =>
      dataOf(await client.mutations.discardDeadLetter({ messageId }), 'Discarding'),
    invite: async (email) => dataOf(await client.mutations.inviteUser({ email }), 'Inviting'),
  };
}
