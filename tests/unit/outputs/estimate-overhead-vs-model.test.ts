// The studio's cloud cost estimate against the bench's cost model (bench/cloud-cost.ts): the overhead the studio
// adds to Remotion's price must describe today's worker (its memory, its poll interval), not an older one.
import { estimatePrice } from '@remotion/lambda/client';
import { describe, expect, it } from 'vitest';
import { RENDER_WORKER_MEMORY_MB } from '../../../amplify/functions/render-worker/resource';
import { POLL_INTERVAL_WITH_WEBHOOK_MS } from '../../../amplify/functions/render-worker/worker-context';
import {
  COST_VIDEO_SECONDS,
  DEFAULT_COST_ASSUMPTIONS,
  estimateRenderCost,
} from '../../../bench/cloud-cost';
import {
  estimateCloudOverheadUsd,
  POLL_INTERVAL_SECONDS,
  WORKER_MEMORY_MB,
} from '../../../contract/output-estimate';

describe("the studio's cloud overhead against the cost model", () => {
  it("takes the worker's memory and poll interval from the worker itself", () => {
    expect(WORKER_MEMORY_MB).toBe(RENDER_WORKER_MEMORY_MB);
    expect(POLL_INTERVAL_SECONDS * 1000).toBe(POLL_INTERVAL_WITH_WEBHOOK_MS);
  });

  it.each(COST_VIDEO_SECONDS)(
    "is within 10 percent of the model's overhead for a %i s video, over the same render and poster times",
    (videoSeconds) => {
      const model = estimateRenderCost(videoSeconds);
      const { rendererStartupSeconds, secondsPerFrame } = DEFAULT_COST_ASSUMPTIONS;
      const studio = estimateCloudOverheadUsd(
        {
          renderSeconds: model.renderWallSeconds,
          posterSeconds: rendererStartupSeconds + secondsPerFrame,
        },
        estimatePrice,
      );
      expect(Math.abs(studio / model.overheadUsd - 1)).toBeLessThanOrEqual(0.1);
    },
  );
});
