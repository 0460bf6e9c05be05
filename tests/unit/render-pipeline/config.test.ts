import { describe, expect, it } from 'vitest';
import { readPipelineConfig } from '../../../amplify/render-pipeline/config';

describe('readPipelineConfig', () => {
  it("uses Remotion's defaults and a render cap of 4 when nothing is set", () => {
    expect(readPipelineConfig({})).toMatchObject({
      renderCap: 4,
      maxActiveJobsPerUser: 3,
      maxReceiveCount: 3,
      outputPrefix: 'renders/',
      remotionMemorySizeInMb: 2048,
      remotionDiskSizeInMb: 2048,
      remotionTimeoutSeconds: 120,
    });
  });

  it('reads numbers from the environment', () => {
    expect(readPipelineConfig({ RENDER_CAP: '10', MAX_ACTIVE_JOBS_PER_USER: '5' })).toMatchObject({
      renderCap: 10,
      maxActiveJobsPerUser: 5,
    });
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
