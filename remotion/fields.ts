import { z } from 'zod';

/** A colour as the studio form and the worker expect it: six hex digits after a `#`. */
export const HEX_COLOR_PATTERN = /^#[0-9a-fA-F]{6}$/;

/**
 * Images shipped in `public/`, as paths relative to it (what `staticFile()` takes).
 * Only these can be chosen: a render must never fetch an arbitrary URL.
 */
export const publicImages = [
  'slides/aurora.svg',
  'slides/dunes.svg',
  'slides/lagoon.svg',
  'slides/nightfall.svg',
] as const;

/** One of {@link publicImages}. */
export type PublicImage = (typeof publicImages)[number];

type FieldMeta = { title: string; description?: string };

/** A `#rrggbb` colour field; the studio form shows a colour picker for `widget: 'color'`. */
export function createColorField(meta: FieldMeta) {
  return z
    .string()
    .regex(HEX_COLOR_PATTERN)
    .meta({ ...meta, widget: 'color' });
}

/** An image picked from {@link publicImages}; the studio form shows thumbnails for `widget: 'image'`. */
export function createImageField(meta: FieldMeta) {
  return z.enum(publicImages).meta({ ...meta, widget: 'image' });
}
