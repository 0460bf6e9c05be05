import { findCompositionSpec, type CompositionSpec } from '../../../remotion/catalog';
import { checkVideoFitsLimits, type RenderLimits } from '../../../contract/render-limits';
import type { ParseInputProps } from './job-lifecycle';

/**
 * Wraps the catalog's props check so a video longer than the render function can finish before its
 * timeout is refused before it starts, with the studio's words (the studio's own check can be bypassed).
 * A refusal is `{ ok: false }`, which the lifecycle turns into FAILED, never a retry.
 */
export const createRenderablePropsParser =
  (
    limits: RenderLimits,
    parseInputProps: ParseInputProps,
    findSpec: (compositionId: string) => CompositionSpec | undefined = findCompositionSpec,
  ): ParseInputProps =>
  (compositionId, input) => {
    const parsed = parseInputProps(compositionId, input);
    if (!parsed.ok) return parsed;
    const spec = findSpec(compositionId);
    // Without a size and frame rate the video cannot be measured, so it cannot be shown to fit.
    if (!spec) {
      return {
        ok: false,
        message:
          `Composition "${compositionId}" has valid props but is not in the catalog, so its length cannot ` +
          'be checked against the render limits. Deploy the catalog together with the worker.',
      };
    }
    const fit = checkVideoFitsLimits(limits, {
      width: spec.width,
      height: spec.height,
      fps: spec.fps,
      durationInFrames: spec.calculateDurationInFrames?.(parsed.props) ?? spec.durationInFrames,
    });
    return fit.ok ? parsed : { ok: false, message: fit.message };
  };
