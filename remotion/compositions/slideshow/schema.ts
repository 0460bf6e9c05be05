import { z } from 'zod';
import { defineCompositionSpec } from '../../composition-spec';
import { createColorField, createImageField } from '../../fields';

/** How each slide enters over the one before it. */
export const slideTransitions = ['fade', 'slide', 'zoom'] as const;

const FPS = 30;

const slideSchema = z
  .strictObject({
    image: createImageField({ title: 'Image' }),
    caption: z.string().max(80).meta({ title: 'Caption', description: 'May be empty.' }),
  })
  .meta({ title: 'Slide' });

/** Props of `slideshow`. */
export const slideshowSchema = z.strictObject({
  slides: z
    .array(slideSchema)
    .min(1)
    .max(8)
    .meta({ title: 'Slides', description: 'One to eight images, each with a caption.' }),
  secondsPerSlide: z
    .number()
    .min(1)
    .max(10)
    .meta({ title: 'Seconds per slide', description: 'From 1 to 10 seconds.' }),
  transition: z.enum(slideTransitions).meta({ title: 'Transition' }),
  accentColor: createColorField({
    title: 'Accent colour',
    description: 'The progress bar and the caption marker.',
  }),
});

/** Props of `slideshow`, as the component receives them. */
export type SlideshowProps = z.output<typeof slideshowSchema>;

/** Frames each slide is on screen at the slideshow's frame rate. */
export function calculateFramesPerSlide(props: Pick<SlideshowProps, 'secondsPerSlide'>): number {
  return Math.round(props.secondsPerSlide * FPS);
}

const defaultProps: SlideshowProps = {
  slides: [
    { image: 'slides/aurora.svg', caption: 'Northern lights over the ridge' },
    { image: 'slides/dunes.svg', caption: 'Golden hour in the dunes' },
    { image: 'slides/lagoon.svg', caption: 'A quiet lagoon at noon' },
    { image: 'slides/nightfall.svg', caption: 'The city after dark' },
  ],
  secondsPerSlide: 2.5,
  transition: 'slide',
  accentColor: '#f472b6',
};

/** Images from `public/` with captions; its length follows the number of slides. */
export const slideshowSpec = defineCompositionSpec({
  id: 'slideshow',
  name: 'Slideshow',
  description: 'Images with captions, each gently zooming, joined by a chosen transition.',
  schema: slideshowSchema,
  defaultProps,
  width: 1280,
  height: 720,
  fps: FPS,
  durationInFrames: defaultProps.slides.length * calculateFramesPerSlide(defaultProps),
  posterFrame: 40,
  calculateDurationInFrames: (props) => props.slides.length * calculateFramesPerSlide(props),
});
