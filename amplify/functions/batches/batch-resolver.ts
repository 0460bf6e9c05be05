import type { AppSyncIdentityCognito } from 'aws-lambda';
import { z } from 'zod';
import { BatchRequestError, type BatchService } from './batch-service';

/** The parts of an AppSync resolver event the batch resolver reads. */
export interface BatchEvent {
  arguments: Record<string, unknown> | null | undefined;
  identity?: unknown;
  /** Amplify's function resolver sends the field's name in the payload. */
  fieldName: string;
}

// AWSJSON arrives as JSON text or, depending on the resolver, already parsed.
const json = z.preprocess((value) => {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}, z.unknown());

const argumentsOf = {
  createBatch: z.object({
    clientToken: z.string().max(200),
    compositionId: z.string().max(200),
    rowCount: z.number().int(),
    title: z.string().nullish(),
    metadata: z.unknown().nullish(),
  }),
  addBatchRows: z.object({
    batchId: z.string().min(1).max(100),
    firstRowIndex: z.number().int(),
    rows: json.pipe(z.array(z.unknown(), { error: 'rows must be a JSON array of props objects' })),
  }),
  cancelBatch: z.object({ batchId: z.string().min(1).max(100) }),
  retryBatchRows: z.object({
    batchId: z.string().min(1).max(100),
    rowIndexes: z.array(z.number().int()).max(10_000).nullish(),
  }),
};
type Field = keyof typeof argumentsOf;
const isField = (name: string): name is Field => name in argumentsOf;

/** Amplify's owner value for the caller (`<sub>::<username>`), or undefined for a caller without a user. */
export const ownerOf = (identity: unknown): string | undefined => {
  const cognito = identity as Partial<AppSyncIdentityCognito> | null | undefined;
  if (!cognito?.sub || !cognito.username) return undefined;
  return `${cognito.sub}::${cognito.username}`;
};

/** The resolver of every batch field: the caller's own batches only, arguments checked with zod. */
export const createBatchResolver =
  (service: BatchService) =>
  async (event: BatchEvent): Promise<unknown> => {
    const owner = ownerOf(event.identity);
    if (!owner)
      throw new BatchRequestError(
        'Not authorized: batches belong to signed-in users; sign in first.',
      );
    const field = event.fieldName;
    if (!isField(field)) throw new Error(`The batch resolver does not serve the field "${field}".`);
    const parsed = argumentsOf[field].safeParse(event.arguments ?? {});
    if (!parsed.success)
      throw new BatchRequestError(
        `${field} expects ${parsed.error.issues.map((issue) => `${issue.path.join('.') || 'arguments'}: ${issue.message}`).join('; ')}, but got ${JSON.stringify(event.arguments ?? {}).slice(0, 200)}`,
      );
    switch (field) {
      case 'createBatch': {
        const args = parsed.data as z.infer<(typeof argumentsOf)['createBatch']>;
        return service.createBatch(owner, args);
      }
      case 'addBatchRows': {
        const args = parsed.data as z.infer<(typeof argumentsOf)['addBatchRows']>;
        return service.addBatchRows(owner, args);
      }
      case 'cancelBatch': {
        const args = parsed.data as z.infer<(typeof argumentsOf)['cancelBatch']>;
        return service.cancelBatch(owner, args.batchId);
      }
      case 'retryBatchRows': {
        const args = parsed.data as z.infer<(typeof argumentsOf)['retryBatchRows']>;
        return service.retryBatchRows(owner, args);
      }
    }
  };
