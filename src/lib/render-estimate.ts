import {
  estimateRender,
  type EstimatePrice,
  type RenderEstimate,
} from '../../contract/output-estimate';
import { checkOutputChoice, type RenderTarget } from '../../contract/output-formats';
import { estimateRemotionLambdaPrice } from '../../contract/remotion-lambda-price';

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
 * Remotion's price in the cloud (its `estimatePrice` formula over the installed Remotion's rates: its own package
 * cannot load in the browser); `undefined` locally, where renders cost nothing.
 */
export function useEstimatePrice(target: RenderTarget): EstimatePrice | undefined {
  return target === 'cloud' ? estimateRemotionLambdaPrice : undefined;
}

/** "about 12 s", "about 2 min 5 s", with the cost when there is one. */
export function formatEstimate(estimate: RenderEstimate): string {
  const seconds = Math.max(1, Math.round(estimate.seconds));
  const time = seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  return estimate.costUsd === null
    ? `about ${time}`
    : `about ${time}, $${estimate.costUsd.toFixed(4)}`;
}
