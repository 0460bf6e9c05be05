/**
 * The spend guard's periods and words (docs/architecture.md, "Spend guard"). Budgets are counted per UTC day and UTC
 * month; the worker, the Operations view and local mode share these, so every message names the same reset time.
 */

/** The budgets a deployment sets (deploy-time settings). */
export interface SpendBudgets {
  /** US dollars of render cost per UTC day. */
  dailyBudgetUsd: number;
  /** US dollars of render cost per UTC month. */
  monthlyBudgetUsd: number;
  /** Renders one user may start per UTC day. */
  dailyRendersPerUser: number;
  /** Dollars a render reserves against both budgets when it starts, until its real cost is known. */
  renderReserveUsd: number;
}

/** The cloud's defaults, used where a setting is unset. */
export const DEFAULT_SPEND_BUDGETS: SpendBudgets = {
  dailyBudgetUsd: 20,
  monthlyBudgetUsd: 200,
  dailyRendersPerUser: 50,
  renderReserveUsd: 0.05,
};

/** `2026-12-05`: the UTC day of `ms`. */
export const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
/** `2026-12`: the UTC month of `ms`. */
export const monthOf = (ms: number): string => new Date(ms).toISOString().slice(0, 7);

/** When the UTC day of `ms` ends (ISO). */
export const dayResetOf = (ms: number): string => {
  const date = new Date(ms);
  return new Date(
    Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + 1),
  ).toISOString();
};

/** When the UTC month of `ms` ends (ISO). */
export const monthResetOf = (ms: number): string => {
  const date = new Date(ms);
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1)).toISOString();
};

/** The ledger's keys: one entry per budget period, one per user and day, one per admitted job. */
export const ledgerKeys = {
  day: (ms: number) => `day#${dayOf(ms)}`,
  month: (ms: number) => `month#${monthOf(ms)}`,
  userDay: (ownerSub: string, ms: number) => `user#${ownerSub}#${dayOf(ms)}`,
  job: (jobId: string) => `job#${jobId}`,
};

const usd = (value: number) => `$${value.toFixed(2)}`;

/** Why a render did not start: the day's budget is spent. */
export const dailyBudgetMessage = (spentUsd: number, budgetUsd: number, ms: number): string =>
  `Today's render budget is spent (${usd(spentUsd)} of ${usd(budgetUsd)}, DAILY_BUDGET_USD); it resets at ` +
  `${dayResetOf(ms)} (midnight UTC). Render again then, or ask an admin to raise the budget.`;

/** Why a render did not start: the month's budget is spent. */
export const monthlyBudgetMessage = (spentUsd: number, budgetUsd: number, ms: number): string =>
  `This month's render budget is spent (${usd(spentUsd)} of ${usd(budgetUsd)}, MONTHLY_BUDGET_USD); it resets at ` +
  `${monthResetOf(ms)} (the first of next month, UTC). Render again then, or ask an admin to raise the budget.`;

/** Why a render did not start: its owner started their quota of renders today. */
export const dailyQuotaMessage = (quota: number, ms: number): string =>
  `You have started ${quota} render${quota === 1 ? '' : 's'} today, your daily quota (DAILY_RENDERS_PER_USER); it ` +
  `resets at ${dayResetOf(ms)} (midnight UTC). Render again then.`;

/** Why a batch (or its retry) is refused at submit: its rows would pass the owner's daily quota of renders. */
export const batchQuotaMessage = (
  asked: number,
  quota: { perDay: number; started: number; waiting: number },
  ms: number,
): string => {
  const left = Math.max(0, quota.perDay - quota.started - quota.waiting);
  return (
    `This asks for ${asked} render${asked === 1 ? '' : 's'}, but your daily quota of ${quota.perDay} ` +
    `(DAILY_RENDERS_PER_USER) allows ${left} more today: ${quota.started} started, ${quota.waiting} waiting in your ` +
    `other batches. It resets at ${dayResetOf(ms)} (midnight UTC). ` +
    (left > 0
      ? `Submit at most ${left} row${left === 1 ? '' : 's'} now, or the rest after the reset.`
      : 'Submit the rows after the reset.')
  );
};
