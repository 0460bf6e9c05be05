import { describe, expect, it } from 'vitest';
import { parseInputProps } from '../../../remotion/catalog';
import { barChartSpec } from '../../../remotion/compositions/bar-chart/schema';

function parseBarChart(input: Record<string, unknown>) {
  return parseInputProps('bar-chart', input);
}

function createBars(count: number) {
  return Array.from({ length: count }, (_, index) => ({
    label: `Bar ${index + 1}`,
    value: index * 10,
    color: '#38bdf8',
  }));
}

function listIssues(input: Record<string, unknown>) {
  const result = parseBarChart(input);
  return result.ok ? [] : result.issues;
}

describe('bar-chart props', () => {
  it('accepts one and twelve bars', () => {
    expect(parseBarChart({ bars: createBars(1) }).ok).toBe(true);
    expect(parseBarChart({ bars: createBars(12) }).ok).toBe(true);
  });

  it('rejects an empty list of bars', () => {
    expect(listIssues({ bars: [] })).toEqual([
      { path: 'bars', message: '`bars` must have at least 1 item, but got 0' },
    ]);
  });

  it('rejects more than twelve bars', () => {
    expect(listIssues({ bars: createBars(13) })).toEqual([
      { path: 'bars', message: '`bars` must have at most 12 items, but got 13' },
    ]);
  });

  it('names the bar and field of an out-of-range value', () => {
    const bars = createBars(3);
    bars[1] = { ...bars[1]!, value: -5 };
    bars[2] = { ...bars[2]!, value: 2_000_000 };

    expect(listIssues({ bars })).toEqual([
      { path: 'bars[1].value', message: '`bars[1].value` must be at least 0, but got -5' },
      {
        path: 'bars[2].value',
        message: '`bars[2].value` must be at most 1000000, but got 2000000',
      },
    ]);
  });

  it('rejects a value sent as text and a bar without a label', () => {
    const bars = [{ value: '12', color: '#38bdf8' }];

    expect(listIssues({ bars })).toEqual([
      { path: 'bars[0].label', message: '`bars[0].label` must be a string, but got undefined' },
      { path: 'bars[0].value', message: '`bars[0].value` must be a number, but got "12"' },
    ]);
  });

  it('rejects a bad bar colour, naming the bar', () => {
    const bars = [{ label: 'A', value: 1, color: 'blue' }];

    expect(listIssues({ bars })).toEqual([
      {
        path: 'bars[0].color',
        message: '`bars[0].color` must be a hex colour like "#1e293b", but got "blue"',
      },
    ]);
  });

  it('rejects a non-boolean for showValues', () => {
    expect(listIssues({ showValues: 'yes' })).toEqual([
      { path: 'showValues', message: '`showValues` must be true or false, but got "yes"' },
    ]);
  });

  it('rejects an unknown sort order, listing the allowed ones', () => {
    expect(listIssues({ sortOrder: 'random' })).toEqual([
      {
        path: 'sortOrder',
        message:
          '`sortOrder` must be one of "as-entered", "largest-first", "smallest-first", but got "random"',
      },
    ]);
  });

  it('keeps default bars within bounds', () => {
    const { bars } = barChartSpec.defaultProps;

    expect(bars.length).toBeGreaterThanOrEqual(1);
    expect(bars.length).toBeLessThanOrEqual(12);
  });
});
