import { describe, expect, it } from 'vitest';
import {
  BATCH_ESTIMATE_DEFAULTS,
  estimateFiftyThousandRows,
  renderBatchEstimateSection,
  wakeUsdPerRow,
} from '../../../bench/batch-estimate';
import {
  AWS_PRICES_US_EAST_1,
  DEFAULT_COST_ASSUMPTIONS,
  estimateRenderCost,
} from '../../../bench/cloud-cost';

describe('the 50,000-row estimate', () => {
  it('takes time and cost from the cost model at the default cap and per-user limit', () => {
    const render = estimateRenderCost(10);
    const slot = render.renderWallSeconds + DEFAULT_COST_ASSUMPTIONS.workerOwnSeconds;
    const estimate = estimateFiftyThousandRows();
    expect(estimate.batches).toBe(5);
    expect(estimate.hoursAtCap).toBeCloseTo(
      (50_000 * slot) / BATCH_ESTIMATE_DEFAULTS.renderCap / 3600,
    );
    expect(estimate.hoursOneUser).toBeCloseTo((50_000 * slot) / 3 / 3600);
    expect(estimate.rendersUsd).toBeCloseTo(50_000 * render.totalUsd);
    // Waking is the hand-off's two AppSync reads per row (one wake-up per freed slot): cents beside the renders.
    expect(estimate.wakeUsd).toBeCloseTo(50_000 * wakeUsdPerRow());
    // The rowOwner index through AppSync ($4 per million) and the owner's slots read on their table (one unit).
    expect(estimate.wakeUsdPerRow).toBeCloseTo(0.000004 + 0.000000125, 12);
    expect(estimate.wakeUsdPerRow).toBeCloseTo(
      AWS_PRICES_US_EAST_1.appSyncUsdPerOperation + AWS_PRICES_US_EAST_1.dynamoDbUsdPerReadUnit,
      15,
    );
    expect(estimate.wakeUsdPerRow).toBeLessThan(render.totalUsd / 100);
  });

  it('follows a slower measured render', () => {
    const slower = {
      ...DEFAULT_COST_ASSUMPTIONS,
      secondsPerFrame: DEFAULT_COST_ASSUMPTIONS.secondsPerFrame * 2,
    };
    expect(estimateFiftyThousandRows(slower).hoursAtCap).toBeGreaterThan(
      estimateFiftyThousandRows().hoursAtCap,
    );
    expect(renderBatchEstimateSection(slower).join('\n')).toMatch(
      /## On paper: 50,000 rows in the cloud/,
    );
  });
});
