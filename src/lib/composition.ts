import type { ComponentType } from 'react';
import type { CompositionSpec } from '../../remotion/catalog';

/** A registered composition without its component: what the gallery and the props form need. */
export type StudioComposition = CompositionSpec;

/**
 * Composition components by id. Handed around as a promise: the components pull in Remotion, so they load
 * lazily, together with the Player, after the first paint.
 */
export type CompositionComponents = Readonly<
  Record<string, ComponentType<Record<string, unknown>>>
>;

/** Frames → "5.0 s" style duration. */
export function formatSeconds(frames: number, fps: number): string {
  return `${(frames / fps).toFixed(1)} s`;
}
