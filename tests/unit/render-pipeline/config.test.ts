import { describe, expect, it } from 'vitest';
import { readPipelineConfig } from '../../../amplify/render-pipeline/config';

describe('readPipelineConfig', () => {
  it("uses Remotion's defaults and fits a new account's 10 concurrent executions when nothing is set", () => {
    expect(readPipelineConfig({})).toMatchObject({
      lambdaConcurrencyBudget: 10,
      renderCap: 2,
      renderersPerRender: 2,
      peakConcurrentExecutions: 10,
      maxActiveJobsPerUser: 3,
      maxReceiveCount: 3,
      outputPrefix: 'renders/',
      remotionMemorySizeInMb: 2048,
      remotionDiskSizeInMb: 2048,
      remotionTimeoutSeconds: 120,
    });
  });

  it('reads numbers from the environment', () => {
    expect(
      readPipelineConfig({
        RENDER_CAP: '10',
        MAX_ACTIVE_JOBS_PER_USER: '5',
        LAMBDA_CONCURRENCY_BUDGET: '1000',
      }),
    ).toMatchObject({ renderCap: 10, maxActiveJobsPerUser: 5, renderersPerRender: 97 });
  });

  it('raises the default cap to 4 renders, and the fan-out, once the budget allows', () => {
    const config = readPipelineConfig({ LAMBDA_CONCURRENCY_BUDGET: '1000' });
    expect(config.renderCap).toBe(4);
    expect(config.renderersPerRender).toBe(200); // Remotion's maximum per render
    expect(config.peakConcurrentExecutions).toBeLessThanOrEqual(1000);
  });

  it('keeps the busiest moment within the budget for every cap and budget it accepts', () => {
    for (let budget = 8; budget <= 60; budget += 1) {
      for (const cap of [undefined, 2, 3, 4, 8]) {
        const env = {
          LAMBDA_CONCURRENCY_BUDGET: String(budget),
          RENDER_CAP: cap === undefined ? undefined : String(cap),
        };
        let config;
        try {
          config = readPipelineConfig(env);
        } catch (error) {
          // Refused only when not even one renderer per render fits.
          expect(String(error)).toMatch(/need at least \d+ concurrent Lambda executions/);
          expect(budget - 2).toBeLessThan((cap ?? 2) * 3);
          continue;
        }
        expect(config.renderersPerRender).toBeGreaterThanOrEqual(1);
        expect(config.peakConcurrentExecutions).toBeLessThanOrEqual(budget);
      }
    }
  });

  it('refuses a cap the budget cannot hold, naming both settings and the quota to raise', () => {
    expect(() => readPipelineConfig({ RENDER_CAP: '4' })).toThrow(
      /RENDER_CAP 4 renders at once need at least 14 concurrent Lambda executions, but LAMBDA_CONCURRENCY_BUDGET is 10[\s\S]*Concurrent executions/,
    );
  });

  it('names each bad value, what was expected and what came', () => {
    expect(() => readPipelineConfig({ RENDER_CAP: '1', OUTPUT_PREFIX: 'Renders' })).toThrow(
      /RENDER_CAP must be at least 2 \(it is the SQS event source's MaximumConcurrency.*\), but got "1"[\s\S]*OUTPUT_PREFIX must be .* ending in "\/".*but got "Renders"/,
    );
    expect(() => readPipelineConfig({ RENDER_CAP: 'lots' })).toThrow(
      /RENDER_CAP must be a whole number.*"lots"/,
    );
  });
});
