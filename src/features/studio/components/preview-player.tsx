import { Player } from '@remotion/player';
import { use } from 'react';
import type { CompositionComponents, StudioComposition } from '../../../lib/composition';

interface PreviewPlayerProps {
  composition: StudioComposition;
  components: Promise<CompositionComponents>;
  props: Record<string, unknown>;
  durationInFrames: number;
}

/** The live preview at the composition's real size, fps and duration (loaded lazily: it carries Remotion). */
export default function PreviewPlayer({
  composition,
  components,
  props,
  durationInFrames,
}: PreviewPlayerProps) {
  const component = use(components)[composition.id];
  if (!component)
    return <p className="alert alert--error">No component is registered for {composition.id}.</p>;
  return (
    <Player
      component={component}
      inputProps={props}
      durationInFrames={durationInFrames}
      compositionWidth={composition.width}
      compositionHeight={composition.height}
      fps={composition.fps}
      // The spec's poster frame, so the still before pressing play shows the composition, not its fade-in.
      initialFrame={Math.min(durationInFrames - 1, composition.posterFrame)}
      controls
      loop
      clickToPlay
      acknowledgeRemotionLicense
      style={{ width: '100%', aspectRatio: `${composition.width} / ${composition.height}` }}
    />
  );
}
