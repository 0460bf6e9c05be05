import React from 'react';
import { Composition, type CalculateMetadataFunction } from 'remotion';
import { parseInputProps } from './catalog';
import { compositionRegistry, type CompositionEntry } from './registry';

/**
 * Remotion does not check props against the schema at render time, so every composition
 * parses them here (a readable error instead of a broken video) and, where the duration
 * follows the props (the slideshow's slide count), computes it.
 */
function createCalculateMetadata(
  entry: CompositionEntry,
): CalculateMetadataFunction<Record<string, unknown>> {
  return ({ props }) => {
    const parsed = parseInputProps(entry.id, props);
    if (!parsed.ok) throw new Error(`Invalid props for "${entry.id}": ${parsed.message}`);
    const durationInFrames = entry.calculateDurationInFrames?.(parsed.props);
    return durationInFrames === undefined
      ? { props: parsed.props }
      : { props: parsed.props, durationInFrames };
  };
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
