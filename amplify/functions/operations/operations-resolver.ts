import type { AppSyncIdentityCognito } from 'aws-lambda';
import { z } from 'zod';
import { isAdmin } from '../../../contract/admins';
import { OperationsError, type Operations, type TimeLeft } from './operations';

/** The parts of an AppSync resolver event the Operations resolver reads. */
export interface OperationsEvent {
  arguments: Record<string, unknown> | null | undefined;
  identity?: unknown;
  /** Amplify's function resolver sends the field's name in the payload (not AppSync's `info`). */
  fieldName: string;
}

const argumentsOf = {
  getOperationsOverview: z.object({}),
  listDeadLetters: z.object({}),
  redriveDeadLetters: z.object({ messageId: z.string().min(1).max(200).nullish() }),
  discardDeadLetter: z.object({ messageId: z.string().min(1).max(200) }),
  inviteUser: z.object({ email: z.email({ error: 'email must be an email address' }).max(254) }),
};
type Field = keyof typeof argumentsOf;
const isField = (name: string): name is Field => name in argumentsOf;

/** The caller's claims, if the request came from a user pool user. */
export const claimsOf = (identity: unknown): Record<string, unknown> | undefined => {
  const cognito = identity as Partial<AppSyncIdentityCognito> | null | undefined;
  if (!cognito?.sub) return undefined;
  // AppSync passes the groups beside the claims too; either is enough.
  const claims = (cognito.claims ?? {}) as Record<string, unknown>;
  return Array.isArray(cognito.groups) && !claims['cognito:groups']
    ? { ...claims, 'cognito:groups': cognito.groups }
    : claims;
};

/**
 * The resolver of every admins' field. AppSync admits only the `admins` group; the group is checked here again from
 * the caller's claims, so a schema mistake alone cannot open the pipeline to every user.
 */
export const createOperationsResolver =
  (operations: Operations) =>
  async (event: OperationsEvent, call: { timeLeft?: TimeLeft } = {}): Promise<unknown> => {
    if (!isAdmin(claimsOf(event.identity)))
      throw new OperationsError(
        'Not authorized: only members of the admins group may use the Operations view.',
      );
    const field = event.fieldName;
    if (!isField(field))
      throw new Error(`The operations resolver does not serve the field "${field}".`);
    const parsed = argumentsOf[field].safeParse(event.arguments ?? {});
    if (!parsed.success)
      throw new OperationsError(
        `${field} expects ${parsed.error.issues.map((issue) => `${issue.path.join('.') || 'arguments'}: ${issue.message}`).join('; ')}, but got ${JSON.stringify(event.arguments ?? {}).slice(0, 200)}`,
      );
    const args = parsed.data as Record<string, unknown>;
    switch (field) {
      case 'getOperationsOverview':
        return operations.getOverview();
      case 'listDeadLetters':
        return operations.listDeadLetters();
      case 'redriveDeadLetters':
        return operations.redriveDeadLetters(
          (args.messageId as string | null | undefined) ?? undefined,
          call.timeLeft,
        );
      case 'discardDeadLetter':
        return operations.discardDeadLetter(args.messageId as string);
      case 'inviteUser':
        return operations.inviteUser(args.email as string);
    }
  };
