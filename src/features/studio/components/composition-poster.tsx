import { Thumbnail } from '@remotion/player';
import { use } from 'react';
import type { CompositionComponents, StudioComposition } from '../../../lib/composition';

interface CompositionPosterProps {
  composition: StudioComposition;
  components: Promise<CompositionComponents>;
}

/** A still of the composition with its default props at its poster frame (loaded lazily with the Player). */
export default function CompositionPoster({ composition, components }: CompositionPosterProps) {
  const component = use(components)[composition.id];
  if (!component) return null;
  return (
    <Thumbnail
      component={component}
      inputProps={composition.defaultProps}
      compositionWidth={composition.width}
      compositionHeight={composition.height}
      fps={composition.fps}
      durationInFrames={composition.durationInFrames}
      frameToDisplay={composition.posterFrame}
      style={{ width: '100%', aspectRatio: `${composition.width} / ${composition.height}` }}
    />
  );
}
