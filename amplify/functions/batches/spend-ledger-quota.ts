import { ledgerKeys } from '../../../contract/spend-budget';
import type { SpendLedgerStore } from '../render-worker/spend-guard';
import type { RenderQuota } from './batch-ports';

/** The daily quota over the worker's spend ledger: one consistent read of the user's day entry (GetItem only). */
export const createLedgerRenderQuota = (
  ledger: Pick<SpendLedgerStore, 'get'>,
  perDay: number,
): RenderQuota => ({
  perDay,
  startedOn: async (ownerSub, ms) =>
    Math.max(0, (await ledger.get(ledgerKeys.userDay(ownerSub, ms)))?.renders ?? 0),
});
