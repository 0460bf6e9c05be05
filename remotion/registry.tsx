/**
 * The catalog plus each composition's React component: what the Player, the studio's
 * props form and the Remotion site render. The worker imports `catalog.ts` instead.
 */
import type React from 'react';
import type { z } from 'zod';
import { compositionCatalog, type CompositionSpec } from './catalog';
import { BarChart } from './compositions/bar-chart/bar-chart';
import { barChartSpec } from './compositions/bar-chart/schema';
import { slideshowSpec } from './compositions/slideshow/schema';
import { Slideshow } from './compositions/slideshow/slideshow';
import { titleCardSpec } from './compositions/title-card/schema';
import { TitleCard } from './compositions/title-card/title-card';

/** A composition spec with the component that draws it. */
export type CompositionEntry = CompositionSpec & {
  readonly component: React.ComponentType<Record<string, unknown>>;
};

/** Pairs a spec with its component, checking at compile time that the component takes the schema's props. */
function attachComponent<Schema extends z.ZodObject>(
  spec: CompositionSpec<Schema>,
  component: React.ComponentType<z.output<Schema>>,
): CompositionEntry {
  // Widening is safe: props are parsed with `spec.schema` before they reach the component.
  return { ...spec, component: component as React.ComponentType<Record<string, unknown>> };
}

const entries = [
  attachComponent(titleCardSpec, TitleCard),
  attachComponent(barChartSpec, BarChart),
  attachComponent(slideshowSpec, Slideshow),
];

/** Every composition with its component, in the catalog's order. */
export const compositionRegistry: readonly CompositionEntry[] = compositionCatalog.map((spec) => {
  const entry = entries.find((candidate) => candidate.id === spec.id);
  if (!entry)
    throw new Error(
      `Composition "${spec.id}" is in the catalog but has no component in registry.tsx`,
    );
  return entry;
});

/** Finds a composition with its component by id; `undefined` when there is none. */
export function findCompositionEntry(id: string): CompositionEntry | undefined {
  return compositionRegistry.find((entry) => entry.id === id);
}
