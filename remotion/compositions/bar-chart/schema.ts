import { z } from 'zod';
import { defineCompositionSpec } from '../../composition-spec';
import { createColorField } from '../../fields';

/** The largest value a bar may have; keeps labels short enough to fit beside the bar. */
export const MAX_BAR_VALUE = 1_000_000;

/** How the bars are ordered on screen. */
export const barSortOrders = ['as-entered', 'largest-first', 'smallest-first'] as const;

const barSchema = z
  .strictObject({
    label: z.string().min(1).max(24).meta({ title: 'Label' }),
    value: z
      .number()
      .min(0)
      .max(MAX_BAR_VALUE)
      .meta({ title: 'Value', description: `From 0 to ${MAX_BAR_VALUE.toLocaleString('en-US')}.` }),
    color: createColorField({ title: 'Colour' }),
  })
  .meta({ title: 'Bar' });

/** Props of `bar-chart`. */
export const barChartSchema = z.strictObject({
  title: z.string().min(1).max(60).meta({ title: 'Title' }),
  unit: z
    .string()
    .max(8)
    .meta({ title: 'Unit', description: 'Written after each value, e.g. "%" or " km".' }),
  bars: z
    .array(barSchema)
    .min(1)
    .max(12)
    .meta({ title: 'Bars', description: 'One to twelve labelled values.' }),
  showValues: z
    .boolean()
    .meta({ title: 'Show values', description: 'Count each value up beside its bar.' }),
  sortOrder: z.enum(barSortOrders).meta({ title: 'Sort order' }),
  backgroundColor: createColorField({ title: 'Background colour' }),
});

/** Props of `bar-chart`, as the component receives them. */
export type BarChartProps = z.output<typeof barChartSchema>;

/** A data-driven chart: bars grow one after another while their values count up. */
export const barChartSpec = defineCompositionSpec({
  id: 'bar-chart',
  name: 'Bar chart',
  description: 'Labelled values as horizontal bars that grow in one after another.',
  schema: barChartSchema,
  defaultProps: {
    title: 'Renders per region this week',
    unit: '',
    bars: [
      { label: 'Frankfurt', value: 1840, color: '#38bdf8' },
      { label: 'N. Virginia', value: 2675, color: '#818cf8' },
      { label: 'Tokyo', value: 1215, color: '#f472b6' },
      { label: 'São Paulo', value: 730, color: '#fb923c' },
      { label: 'Sydney', value: 960, color: '#34d399' },
    ],
    showValues: true,
    sortOrder: 'largest-first',
    backgroundColor: '#0b1120',
  },
  width: 1280,
  height: 720,
  fps: 30,
  durationInFrames: 150,
  posterFrame: 120,
});
