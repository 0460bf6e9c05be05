import { lazy, Suspense } from 'react';
import {
  formatSeconds,
  type CompositionComponents,
  type StudioComposition,
} from '../../../lib/composition';

const CompositionPoster = lazy(() => import('./composition-poster'));

interface CompositionGalleryProps {
  compositions: readonly StudioComposition[];
  components: Promise<CompositionComponents>;
  selectedId: string;
  onSelect: (id: string) => void;
}

/** Every registered composition as a card: poster, name, size and duration. */
export function CompositionGallery({
  compositions,
  components,
  selectedId,
  onSelect,
}: CompositionGalleryProps) {
  if (compositions.length === 0)
    return (
      <p className="empty">
        No compositions are registered. Add one to remotion/catalog.ts and remotion/registry.tsx.
      </p>
    );
  return (
    <ul className="gallery" aria-label="Compositions">
      {compositions.map((composition) => {
        const selected = composition.id === selectedId;
        return (
          <li key={composition.id}>
            <button
              type="button"
              className={`gallery__card${selected ? ' gallery__card--selected' : ''}`}
              aria-pressed={selected}
              onClick={() => onSelect(composition.id)}
            >
              <div className="gallery__poster" aria-hidden="true">
                <Suspense fallback={<div className="skeleton" />}>
                  <CompositionPoster composition={composition} components={components} />
                </Suspense>
              </div>
              <span className="gallery__name">{composition.name}</span>
              <span className="gallery__meta">
                {composition.width}×{composition.height} ·{' '}
                {formatSeconds(composition.durationInFrames, composition.fps)} · {composition.fps}{' '}
                fps
              </span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}
