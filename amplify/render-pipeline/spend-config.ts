import { z } from 'zod';
import { readEnv, type EnvReader } from '../read-env';
import { DEFAULT_SPEND_BUDGETS, type SpendBudgets } from '../../contract/spend-budget';

const dollars = (name: string, example: number) =>
  z.coerce
    .number({ error: `${name} must be a number of US dollars, such as ${example}` })
    .positive({ error: `${name} must be more than 0 US dollars` })
    .max(10_000_000, { error: `${name} must be at most 10000000 US dollars` });

const spendEnvSchema = z.object({
  DAILY_BUDGET_USD: dollars('DAILY_BUDGET_USD', 20).default(DEFAULT_SPEND_BUDGETS.dailyBudgetUsd),
  MONTHLY_BUDGET_USD: dollars('MONTHLY_BUDGET_USD', 200).default(
    DEFAULT_SPEND_BUDGETS.monthlyBudgetUsd,
  ),
  DAILY_RENDERS_PER_USER: z.coerce
    .number({ error: 'DAILY_RENDERS_PER_USER must be a whole number from 1 to 100000' })
    .int({ error: 'DAILY_RENDERS_PER_USER must be a whole number from 1 to 100000' })
    .min(1, { error: 'DAILY_RENDERS_PER_USER must be at least 1' })
    .max(100_000, { error: 'DAILY_RENDERS_PER_USER must be at most 100000' })
    .default(DEFAULT_SPEND_BUDGETS.dailyRendersPerUser),
  RENDER_RESERVE_USD: dollars('RENDER_RESERVE_USD', 0.05).default(
    DEFAULT_SPEND_BUDGETS.renderReserveUsd,
  ),
});

/** The spend settings as environment variables, the way the backend passes them to the worker and operations. */
export type SpendEnvironment = { [Name in keyof z.input<typeof spendEnvSchema>]-?: string };

/** Reads the spend guard's budgets (deploy-time settings, or a function's environment); throws naming bad values. */
export const readSpendBudgets = (
  env: Record<string, string | undefined>,
  reader: EnvReader,
): SpendBudgets => {
  const parsed = readEnv(spendEnvSchema, env, reader);
  return {
    dailyBudgetUsd: parsed.DAILY_BUDGET_USD,
    monthlyBudgetUsd: parsed.MONTHLY_BUDGET_USD,
    dailyRendersPerUser: parsed.DAILY_RENDERS_PER_USER,
    renderReserveUsd: parsed.RENDER_RESERVE_USD,
  };
};

/** The budgets as a function's environment. */
export const spendEnvironmentOf = (budgets: SpendBudgets): SpendEnvironment => ({
  DAILY_BUDGET_USD: String(budgets.dailyBudgetUsd),
  MONTHLY_BUDGET_USD: String(budgets.monthlyBudgetUsd),
  DAILY_RENDERS_PER_USER: String(budgets.dailyRendersPerUser),
  RENDER_RESERVE_USD: String(budgets.renderReserveUsd),
});
