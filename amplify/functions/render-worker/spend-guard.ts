import {
  dailyBudgetMessage,
  dailyQuotaMessage,
  ledgerKeys,
  monthlyBudgetMessage,
  type SpendBudgets,
} from '../../../contract/spend-budget';
import { isTerminalStatus, ownerSubOf } from '../../../contract/job-contract';
import { describeError } from './failure-classes';
import type { RenderWorker } from './job-lifecycle';
import type { Clock, JobStore } from './ports';

/**
 * One entry of the spend ledger (the SpendLedger model, IAM only): a budget period's reserved and accrued dollars
 * and renders started, or one admitted job's reservation. `version` makes every write a compare-and-set.
 */
export interface LedgerEntry {
  ledgerKey: string;
  reservedUsd: number;
  renders: number;
  version: number;
  /** A job's entry: when it was admitted (ISO), which names the day and month it reserved against. */
  admittedAt?: string | null;
  /** A job's entry: its reservation was swapped for its real cost. */
  settled?: boolean | null;
}

/** A limit an addition must keep: the entry's `field` may not pass `max` once the addition is made. */
export interface LedgerCeiling {
  field: 'reservedUsd' | 'renders';
  max: number;
}

/** The ledger as the guard uses it: its DynamoDB table (dynamo-spend-ledger.ts) or AppSync (IAM), in memory in tests. */
export interface SpendLedgerStore {
  get(ledgerKey: string): Promise<LedgerEntry | null>;
  /** Writes `entry` only if the stored version is `expectedVersion` (`null`: no entry yet); false when it was not. */
  put(entry: LedgerEntry, expectedVersion: number | null): Promise<boolean>;
  /**
   * Adds to one entry in a single atomic write, refused when it would pass the ceiling. A store without it gets
   * read-then-compare-and-set instead, which concurrent writers to one entry keep invalidating.
   */
  add?(
    ledgerKey: string,
    change: { usd?: number; renders?: number },
    ceiling?: LedgerCeiling,
  ): Promise<{ written: boolean; entry: LedgerEntry }>;
}

/** What the guard answers before a render starts. */
export type SpendAdmission = { admitted: true } | { admitted: false; message: string };

/** Daily and monthly budgets and the per-user daily quota (docs/architecture.md, "Spend guard"). */
export interface SpendGuard {
  /** Reserves the job's render against every budget, or refuses naming the budget and when it resets. */
  admit(job: { id: string; owner: string }): Promise<SpendAdmission>;
  /** Swaps the job's reservation for its real cost (0 when it never rendered); a no-op for jobs never admitted. */
  settle(jobId: string, costUsd: number | undefined): Promise<void>;
}

const MAX_ROUNDS = 20;
const emptyEntry = (ledgerKey: string): LedgerEntry => ({
  ledgerKey,
  reservedUsd: 0,
  renders: 0,
  version: 0,
});

/** Adds to one entry, atomically when the store can, else by compare-and-set; refused when it passes the ceiling. */
export const addToEntry = async (
  ledger: SpendLedgerStore,
  ledgerKey: string,
  change: { usd?: number; renders?: number },
  ceiling?: LedgerCeiling,
): Promise<{ written: boolean; entry: LedgerEntry }> => {
  if (ledger.add) return ledger.add(ledgerKey, change, ceiling);
  // Dollars are compared with a hair of slack, so a sum of reserves that lands on the budget is within it.
  const allowed = (next: LedgerEntry) =>
    !ceiling ||
    (ceiling.field === 'reservedUsd'
      ? next.reservedUsd <= ceiling.max + 1e-9
      : next.renders <= ceiling.max);
  for (let round = 0; round < MAX_ROUNDS; round += 1) {
    const current = await ledger.get(ledgerKey);
    const base = current ?? emptyEntry(ledgerKey);
    const next: LedgerEntry = {
      ...base,
      reservedUsd: Math.round((base.reservedUsd + (change.usd ?? 0)) * 1e6) / 1e6,
      renders: base.renders + (change.renders ?? 0),
      version: base.version + 1,
    };
    if (!allowed(next)) return { written: false, entry: base };
    if (await ledger.put(next, current ? current.version : null))
      return { written: true, entry: next };
  }
  throw new Error(
    `The spend ledger entry ${ledgerKey} kept changing under ${MAX_ROUNDS} writes; try again.`,
  );
};

/**
 * The spend guard over its ledger. Every count is a compare-and-set on one entry, so however many renders start at
 * once, the reserved dollars of a period never pass its budget and no user starts more than the quota.
 */
export const createSpendGuard = (
  ledger: SpendLedgerStore,
  budgets: SpendBudgets,
  clock: Pick<Clock, 'now'>,
): SpendGuard => {
  const reserve = budgets.renderReserveUsd;
  const admit = async (job: { id: string; owner: string }): Promise<SpendAdmission> => {
    // A redelivery of an admitted job (waiting under the render cap) holds its reservation already.
    if (await ledger.get(ledgerKeys.job(job.id))) return { admitted: true };
    const now = clock.now();
    const taken: { key: string; usd?: number; renders?: number }[] = [];
    const undo = async () => {
      for (const { key, usd, renders } of taken.reverse())
        await addToEntry(ledger, key, { usd: -(usd ?? 0), renders: -(renders ?? 0) });
    };
    const userDay = ledgerKeys.userDay(ownerSubOf(job.owner), now);
    const quota = await addToEntry(
      ledger,
      userDay,
      { renders: 1 },
      { field: 'renders', max: budgets.dailyRendersPerUser },
    );
    if (!quota.written)
      return { admitted: false, message: dailyQuotaMessage(budgets.dailyRendersPerUser, now) };
    taken.push({ key: userDay, renders: 1 });
    const periods = [
      { key: ledgerKeys.day(now), budget: budgets.dailyBudgetUsd, message: dailyBudgetMessage },
      {
        key: ledgerKeys.month(now),
        budget: budgets.monthlyBudgetUsd,
        message: monthlyBudgetMessage,
      },
    ];
    for (const period of periods) {
      const result = await addToEntry(
        ledger,
        period.key,
        { usd: reserve, renders: 1 },
        { field: 'reservedUsd', max: period.budget },
      );
      if (!result.written) {
        await undo();
        return {
          admitted: false,
          message: period.message(result.entry.reservedUsd, period.budget, now),
        };
      }
      taken.push({ key: period.key, usd: reserve, renders: 1 });
    }
    const admittedAt = new Date(now).toISOString();
    const recorded = await ledger.put(
      {
        ledgerKey: ledgerKeys.job(job.id),
        reservedUsd: reserve,
        renders: 1,
        version: 1,
        admittedAt,
        settled: false,
      },
      null,
    );
    // Another delivery of the same job got in first: its reservation stands, ours is given back.
    if (!recorded) await undo();
    return { admitted: true };
  };

  const settle = async (jobId: string, costUsd: number | undefined): Promise<void> => {
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      const entry = await ledger.get(ledgerKeys.job(jobId));
      if (!entry || entry.settled) return;
      const cost = Math.max(0, costUsd ?? 0);
      if (
        !(await ledger.put(
          { ...entry, settled: true, reservedUsd: cost, version: entry.version + 1 },
          entry.version,
        ))
      )
        continue;
      const admittedMs = Date.parse(entry.admittedAt ?? '') || clock.now();
      const delta = cost - entry.reservedUsd;
      await addToEntry(ledger, ledgerKeys.day(admittedMs), { usd: delta });
      await addToEntry(ledger, ledgerKeys.month(admittedMs), { usd: delta });
      return;
    }
  };

  return { admit, settle };
};

/**
 * The store, with one addition: a write that ends a job swaps its spend reservation for its real cost. A failed
 * settlement is logged, not thrown: the job's end stands, and the budget stays on the safe side (over-counted).
 */
export const settlingSpendOnEnd = (
  store: JobStore,
  guard: Pick<SpendGuard, 'settle'> | undefined,
  log: (message: string, details?: Record<string, unknown>) => void,
): JobStore =>
  guard
    ? {
        ...store,
        async update(jobId, expected, patch) {
          const written = await store.update(jobId, expected, patch);
          if (written && patch.status && isTerminalStatus(patch.status)) {
            await guard
              .settle(jobId, patch.costUsd ?? undefined)
              .catch((error: unknown) =>
                log('spend settlement failed', { jobId, error: describeError(error) }),
              );
          }
          return written;
        },
      }
    : store;

/** The worker, with one addition: a dead letter whose delivery is over is kept for admins (`keep`). */
export const keepingDeadLetters = (
  worker: RenderWorker,
  keep: (jobId: string, receiveCount: number) => Promise<void>,
): RenderWorker => ({
  ...worker,
  async handleMessage(message) {
    const verdict = await worker.handleMessage(message);
    if (message.deadLetter && verdict === 'delete') await keep(message.jobId, message.receiveCount);
    return verdict;
  },
});
