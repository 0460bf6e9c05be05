// The spend guard over its real AppSync ledger adapter (amplify/functions/render-worker/appsync-spend-ledger.ts),
// the data API an in-memory table with DynamoDB's conditional writes: budgets per UTC day and month, the per-user
// daily quota, refusals that name the budget and when it resets, and compare-and-set conflicts retried or refused.
import { describe, expect, it } from 'vitest';
import { ledgerKeys, type SpendBudgets } from '../../../contract/spend-budget';
import {
  AppSyncRequestError,
  type GraphqlTransport,
} from '../../../amplify/functions/render-worker/appsync-job-store';
import { createAppSyncSpendLedger } from '../../../amplify/functions/render-worker/appsync-spend-ledger';
import {
  createSpendGuard,
  type LedgerEntry,
} from '../../../amplify/functions/render-worker/spend-guard';

const NOW = Date.parse('2026-12-05T10:30:00.000Z');
const clock = { now: () => NOW };
const BUDGETS: SpendBudgets = {
  dailyBudgetUsd: 1,
  monthlyBudgetUsd: 3,
  dailyRendersPerUser: 3,
  renderReserveUsd: 0.4,
};
const job = (id: string, owner = 'alice') => ({ id, owner: `${owner}::${owner}` });

/**
 * The SpendLedger model behind AppSync: create only if absent, update only at the version the condition names.
 * `interfere` runs before each write and may change the table first, as a concurrent writer would.
 */
const createLedgerApi = (
  interfere: (key: string, table: Map<string, LedgerEntry>) => void = () => undefined,
) => {
  const table = new Map<string, LedgerEntry>();
  let writes = 0;
  const conflict = () =>
    new AppSyncRequestError(
      'DynamoDB:ConditionalCheckFailedException',
      'The conditional request failed',
    );
  const send: GraphqlTransport = async (query, variables) => {
    const input = variables.input as LedgerEntry | undefined;
    if (query.includes('getSpendLedger'))
      return { getSpendLedger: table.get(variables.ledgerKey as string) ?? null };
    writes += 1;
    interfere(input!.ledgerKey, table);
    if (query.includes('createSpendLedger')) {
      if (table.has(input!.ledgerKey)) throw conflict();
      table.set(input!.ledgerKey, { ...input! });
      return { createSpendLedger: input };
    }
    const expected = (variables.condition as { version: { eq: number } }).version.eq;
    if (table.get(input!.ledgerKey)?.version !== expected) throw conflict();
    table.set(input!.ledgerKey, { ...table.get(input!.ledgerKey)!, ...input! });
    return { updateSpendLedger: input };
  };
  return { table, send, writes: () => writes };
};

describe('the spend guard', () => {
  it('admits renders under both budgets, reserving each against the day, the month and the user', async () => {
    const api = createLedgerApi();
    const guard = createSpendGuard(createAppSyncSpendLedger(api.send), BUDGETS, clock);

    expect(await guard.admit(job('j1'))).toEqual({ admitted: true });
    expect(await guard.admit(job('j2', 'bob'))).toEqual({ admitted: true });

    expect(api.table.get(ledgerKeys.day(NOW))).toMatchObject({ reservedUsd: 0.8, renders: 2 });
    expect(api.table.get(ledgerKeys.month(NOW))).toMatchObject({ reservedUsd: 0.8, renders: 2 });
    expect(api.table.get(ledgerKeys.userDay('alice', NOW))).toMatchObject({ renders: 1 });
    expect(api.table.get(ledgerKeys.job('j1'))).toMatchObject({ reservedUsd: 0.4, settled: false });
    // A redelivery of an admitted job holds its reservation already: nothing is counted twice.
    expect(await guard.admit(job('j1'))).toEqual({ admitted: true });
    expect(api.table.get(ledgerKeys.day(NOW))).toMatchObject({ reservedUsd: 0.8, renders: 2 });
  });

  it('refuses a render over the daily budget, naming DAILY_BUDGET_USD and midnight UTC, and gives the quota back', async () => {
    const api = createLedgerApi();
    const guard = createSpendGuard(createAppSyncSpendLedger(api.send), BUDGETS, clock);
    await guard.admit(job('j1', 'a'));
    await guard.admit(job('j2', 'b'));

    const refused = await guard.admit(job('j3', 'c'));

    expect(refused).toEqual({
      admitted: false,
      message:
        "Today's render budget is spent ($0.80 of $1.00, DAILY_BUDGET_USD); it resets at 2026-12-06T00:00:00.000Z " +
        '(midnight UTC). Render again then, or ask an admin to raise the budget.',
    });
    expect(api.table.get(ledgerKeys.day(NOW))).toMatchObject({ reservedUsd: 0.8, renders: 2 });
    expect(api.table.get(ledgerKeys.userDay('c', NOW))).toMatchObject({ renders: 0 });
    expect(api.table.has(ledgerKeys.job('j3'))).toBe(false);
  });

  it('refuses a render over the monthly budget, naming MONTHLY_BUDGET_USD and the first of next month, undoing the day', async () => {
    const api = createLedgerApi();
    api.table.set(ledgerKeys.month(NOW), {
      ledgerKey: ledgerKeys.month(NOW),
      reservedUsd: 2.9,
      renders: 20,
      version: 20,
    });
    const guard = createSpendGuard(createAppSyncSpendLedger(api.send), BUDGETS, clock);

    const refused = await guard.admit(job('j1'));

    expect(refused).toEqual({
      admitted: false,
      message:
        "This month's render budget is spent ($2.90 of $3.00, MONTHLY_BUDGET_USD); it resets at " +
        '2027-01-01T00:00:00.000Z (the first of next month, UTC). Render again then, or ask an admin to raise the budget.',
    });
    // The day's reservation taken before the month refused is given back.
    expect(api.table.get(ledgerKeys.day(NOW))).toMatchObject({ reservedUsd: 0, renders: 0 });
    expect(api.table.get(ledgerKeys.userDay('alice', NOW))).toMatchObject({ renders: 0 });
  });

  it('refuses a user past the daily render quota, naming DAILY_RENDERS_PER_USER, while others still render', async () => {
    const api = createLedgerApi();
    const roomy = { ...BUDGETS, dailyBudgetUsd: 100, monthlyBudgetUsd: 100 };
    const guard = createSpendGuard(createAppSyncSpendLedger(api.send), roomy, clock);
    for (const id of ['j1', 'j2', 'j3'])
      expect(await guard.admit(job(id))).toEqual({ admitted: true });

    expect(await guard.admit(job('j4'))).toEqual({
      admitted: false,
      message:
        'You have started 3 renders today, your daily quota (DAILY_RENDERS_PER_USER); it resets at ' +
        '2026-12-06T00:00:00.000Z (midnight UTC). Render again then.',
    });
    expect(await guard.admit(job('j5', 'bob'))).toEqual({ admitted: true });
  });

  it('retries a compare-and-set that lost to a concurrent writer, and counts both', async () => {
    let interfered = false;
    const api = createLedgerApi((key, table) => {
      // Another worker admits a render against the day between our read and our write, once.
      if (key !== ledgerKeys.day(NOW) || interfered) return;
      interfered = true;
      table.set(key, { ledgerKey: key, reservedUsd: 0.4, renders: 1, version: 1 });
    });
    const guard = createSpendGuard(createAppSyncSpendLedger(api.send), BUDGETS, clock);

    expect(await guard.admit(job('j1'))).toEqual({ admitted: true });

    expect(interfered).toBe(true);
    expect(api.table.get(ledgerKeys.day(NOW))).toMatchObject({
      reservedUsd: 0.8,
      renders: 2,
      version: 2,
    });
  });

  it('refuses, after a conflict, when the winner spent what was left of the budget', async () => {
    let interfered = false;
    const api = createLedgerApi((key, table) => {
      if (key !== ledgerKeys.day(NOW) || interfered) return;
      interfered = true;
      table.set(key, { ledgerKey: key, reservedUsd: 0.9, renders: 2, version: 2 });
    });
    const guard = createSpendGuard(createAppSyncSpendLedger(api.send), BUDGETS, clock);

    const refused = await guard.admit(job('j1'));

    expect(refused).toMatchObject({
      admitted: false,
      message: expect.stringMatching(/^Today's render budget is spent \(\$0\.90 of \$1\.00/),
    });
    expect(api.table.get(ledgerKeys.day(NOW))).toMatchObject({ reservedUsd: 0.9, renders: 2 });
  });

  it('gives up with an error saying to try again when the entry keeps changing under every write', async () => {
    const api = createLedgerApi((key, table) => {
      const entry = table.get(key) ?? { ledgerKey: key, reservedUsd: 0, renders: 0, version: 0 };
      table.set(key, { ...entry, version: entry.version + 1 });
    });
    const guard = createSpendGuard(createAppSyncSpendLedger(api.send), BUDGETS, clock);

    await expect(guard.admit(job('j1'))).rejects.toThrow(
      `The spend ledger entry ${ledgerKeys.userDay('alice', NOW)} kept changing under 20 writes; try again.`,
    );
    expect(api.writes()).toBe(20);
  });

  it('swaps a reservation for the real cost when the job ends, once', async () => {
    const api = createLedgerApi();
    const guard = createSpendGuard(createAppSyncSpendLedger(api.send), BUDGETS, clock);
    await guard.admit(job('j1'));

    await guard.settle('j1', 0.15);
    await guard.settle('j1', 0.15);

    expect(api.table.get(ledgerKeys.day(NOW))).toMatchObject({ reservedUsd: 0.15 });
    expect(api.table.get(ledgerKeys.month(NOW))).toMatchObject({ reservedUsd: 0.15 });
    expect(api.table.get(ledgerKeys.job('j1'))).toMatchObject({ reservedUsd: 0.15, settled: true });
  });
});
