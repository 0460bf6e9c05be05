import { AppSyncRequestError, type GraphqlTransport } from './appsync-job-store';
import type { LedgerEntry, SpendLedgerStore } from './spend-guard';

const FIELDS = 'ledgerKey reservedUsd renders version admittedAt settled';
const GET = `query GetSpendLedger($ledgerKey: String!) { getSpendLedger(ledgerKey: $ledgerKey) { ${FIELDS} } }`;
const CREATE = `mutation CreateSpendLedger($input: CreateSpendLedgerInput!) { createSpendLedger(input: $input) { ${FIELDS} } }`;
const UPDATE = `mutation UpdateSpendLedger($input: UpdateSpendLedgerInput!, $condition: ModelSpendLedgerConditionInput) {
  updateSpendLedger(input: $input, condition: $condition) { ${FIELDS} } }`;

const isConditionFailure = (error: unknown) =>
  error instanceof AppSyncRequestError &&
  /ConditionalCheckFailed/.test(error.errorType ?? error.message);

/** The spend ledger over AppSync (IAM): a create only if absent, an update only at the version read. */
export const createAppSyncSpendLedger = (send: GraphqlTransport): SpendLedgerStore => ({
  async get(ledgerKey) {
    const data = (await send(GET, { ledgerKey })) as { getSpendLedger: LedgerEntry | null };
    return data.getSpendLedger;
  },
  async put(entry, expectedVersion) {
    const input = {
      ledgerKey: entry.ledgerKey,
      reservedUsd: entry.reservedUsd,
      renders: entry.renders,
      version: entry.version,
      ...(entry.admittedAt ? { admittedAt: entry.admittedAt } : {}),
      ...(entry.settled !== undefined && entry.settled !== null ? { settled: entry.settled } : {}),
    };
    try {
      if (expectedVersion === null) await send(CREATE, { input });
      else await send(UPDATE, { input, condition: { version: { eq: expectedVersion } } });
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  },
});
