import {
  checkOutputChoice,
  type OutputChoice,
  type RenderTarget,
} from '../../../contract/output-formats';
import { findCompositionSpec, type CompositionSpec } from '../../../remotion/catalog';
import type { JobRecord } from './ports';

/**
 * The server-side check of a job's format and scale (the studio's can be bypassed), against the size and length
 * its props give the composition. Run after the props check, so `props` are valid.
 */
export const checkJobOutput = (
  job: Pick<JobRecord, 'compositionId' | 'outputFormat' | 'scale'>,
  props: Record<string, unknown>,
  target: RenderTarget,
  findSpec: (compositionId: string) => CompositionSpec | undefined = findCompositionSpec,
): { ok: true; choice: OutputChoice } | { ok: false; message: string } => {
  // The props check before this one refuses compositions missing from the catalog; without a spec only the
  // format, the scale and the target are checked.
  const spec = findSpec(job.compositionId);
  const checked = checkOutputChoice(
    { outputFormat: job.outputFormat ?? undefined, scale: job.scale ?? undefined },
    {
      width: spec?.width ?? 2,
      height: spec?.height ?? 2,
      durationInFrames: spec?.calculateDurationInFrames?.(props) ?? spec?.durationInFrames ?? 1,
    },
    target,
  );
  return checked.ok ? { ok: true, choice: checked.choice } : checked;
};
