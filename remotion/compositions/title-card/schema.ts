import { z } from 'zod';
import { defineCompositionSpec } from '../../composition-spec';
import { createColorField } from '../../fields';

/** Props of `title-card`. */
export const titleCardSchema = z.strictObject({
  title: z
    .string()
    .min(1)
    .max(80)
    .meta({ title: 'Title', description: 'The headline, 1–80 characters.' }),
  subtitle: z
    .string()
    .max(120)
    .meta({ title: 'Subtitle', description: 'A line under the title; may be empty.' }),
  backgroundColor: createColorField({ title: 'Background colour' }),
  textColor: createColorField({ title: 'Text colour' }),
});

/** Props of `title-card`, as the component receives them. */
export type TitleCardProps = z.output<typeof titleCardSchema>;

/** The reference composition other tools rely on: 1280×720, 30 fps, 5 seconds. */
export const titleCardSpec = defineCompositionSpec({
  id: 'title-card',
  name: 'Title card',
  description: 'A headline and a subtitle that spring in over a softly lit background.',
  schema: titleCardSchema,
  defaultProps: {
    title: 'Render Studio',
    subtitle: 'From React components to finished videos, in the cloud',
    backgroundColor: '#0f172a',
    textColor: '#f8fafc',
  },
  width: 1280,
  height: 720,
  fps: 30,
  durationInFrames: 150,
  posterFrame: 75,
});
