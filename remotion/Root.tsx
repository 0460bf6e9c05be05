import React from 'react';
import { Composition, type CalculateMetadataFunction } from 'remotion';
import { compositionRegistry, type CompositionEntry } from './registry';

/** Lets a composition's duration follow its props (e.g. a slideshow's slide count). */
function createCalculateMetadata(
  entry: CompositionEntry,
): CalculateMetadataFunction<Record<string, unknown>> | undefined {
  const calculate = entry.calculateDurationInFrames?.bind(entry);
  if (!calculate) return undefined;
  return ({ props }) => ({ durationInFrames: calculate(entry.schema.parse(props)) });
}

/** The Remotion entry's root: one `<Composition>` per registry entry, with its schema and defaults. */
export const RemotionRoot: React.FC = () => (
  <>
    {compositionRegistry.map((entry) => (
      <Composition
        key={entry.id}
        id={entry.id}
        component={entry.component}
        schema={entry.schema}
        defaultProps={entry.defaultProps}
        width={entry.width}
        height={entry.height}
        fps={entry.fps}
        durationInFrames={entry.durationInFrames}
        calculateMetadata={createCalculateMetadata(entry)}
      />
    ))}
  </>
);
