import { useEffect, useState } from 'react';
import {
  estimateRender,
  type EstimatePrice,
  type RenderEstimate,
} from '../../contract/output-estimate';
import { checkOutputChoice, type RenderTarget } from '../../contract/output-formats';

/** A composition's size and length, as the estimate needs them. */
export interface EstimatedVideo {
  width: number;
  height: number;
  durationInFrames: number;
}

/**
 * The estimate shown before Render and beside the actual figures after it (docs/architecture.md, "Outputs"):
 * `null` when the choice is refused (the refusal is shown instead).
 */
export function estimateFor(
  video: EstimatedVideo,
  choice: { outputFormat?: string | null; scale?: number | null },
  target: RenderTarget,
  options: { renderersPerRender?: number; estimatePrice?: EstimatePrice } = {},
): RenderEstimate | null {
  const checked = checkOutputChoice(
    { outputFormat: choice.outputFormat ?? undefined, scale: choice.scale ?? undefined },
    video,
    target,
  );
  if (!checked.ok) return null;
  return estimateRender({
    frames: video.durationInFrames,
    width: video.width,
    height: video.height,
    choice: checked.choice,
    target,
    ...options,
  });
}

/**
 * Remotion's `estimatePrice` in the cloud, loaded on first use (it lives in `@remotion/lambda/client`, which the
 * local studio never needs); `undefined` locally, where renders cost nothing, and while it loads.
 */
export function useEstimatePrice(target: RenderTarget): EstimatePrice | undefined {
  const [estimatePrice, setEstimatePrice] = useState<EstimatePrice>();
  useEffect(() => {
    if (target !== 'cloud') return;
    let active = true;
    void import('@remotion/lambda/client').then(({ estimatePrice: price }) => {
      if (active) setEstimatePrice(() => price as EstimatePrice);
    });
    return () => {
      active = false;
    };
  }, [target]);
  return estimatePrice;
}

/** "about 12 s", "about 2 min 5 s", with the cost when there is one. */
export function formatEstimate(estimate: RenderEstimate): string {
  const seconds = Math.max(1, Math.round(estimate.seconds));
  const time = seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  return estimate.costUsd === null
    ? `about ${time}`
    : `about ${time}, $${estimate.costUsd.toFixed(4)}`;
}
