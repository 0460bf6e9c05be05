import { describe, expect, it } from 'vitest';
import {
  escapeXml,
  formatFigure,
  renderBarChartSvg,
  type ChartPanel,
} from '../../../bench/svg-chart';

const widthOf = (svg: string, label: string): number => {
  const match = new RegExp(`<rect [^>]*width="([\\d.]+)"[^>]*><title>${label}:`).exec(svg);
  if (!match) throw new Error(`no bar titled ${label} in the chart`);
  return Number(match[1]);
};

describe('renderBarChartSvg', () => {
  const panels: ChartPanel[] = [
    {
      title: 'Render',
      unit: 'ms',
      bars: [
        { label: 'pipeline', value: 5000, kind: 'current' },
        { label: 'cli', value: 10000, kind: 'reference' },
        { label: 'missing', value: null, kind: 'current' },
      ],
    },
    {
      title: 'Cost <USD & more>',
      unit: 'USD',
      bars: [{ label: 'a', value: 0.002, kind: 'current' }],
    },
  ];

  it('writes one standalone SVG document with a bar per value, scaled within its panel', () => {
    const svg = renderBarChartSvg('Bench', panels);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(widthOf(svg, 'pipeline') * 2).toBeCloseTo(widthOf(svg, 'cli'), 0);
    // The only bar of the second panel is full width, like the largest bar of the first.
    expect(widthOf(svg, 'a')).toBeCloseTo(widthOf(svg, 'cli'), 0);
  });

  it('draws a null value as "n/a" instead of a bar', () => {
    const svg = renderBarChartSvg('Bench', panels);
    expect(svg).toContain('>missing</text>');
    expect(svg).toContain('>n/a</text>');
    expect(svg).not.toMatch(/<title>missing:/);
  });

  it('escapes text so a label cannot break the markup', () => {
    const svg = renderBarChartSvg('A & B', panels);
    expect(svg).toContain('A &amp; B');
    expect(svg).toContain('Cost &lt;USD &amp; more&gt;');
    expect(svg).not.toContain('<USD');
  });

  it('grows taller with more bars', () => {
    const heightOf = (svg: string) => Number(/height="(\d+)"/.exec(svg)![1]);
    const one = renderBarChartSvg('x', [panels[1]!]);
    const two = renderBarChartSvg('x', panels);
    expect(heightOf(two)).toBeGreaterThan(heightOf(one));
  });
});

describe('escapeXml and formatFigure', () => {
  it('escapes the five XML specials', () => {
    expect(escapeXml(`<a href="x">'&'</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;',
    );
  });

  it('keeps whole numbers whole and gives fractions 3 significant digits', () => {
    expect(formatFigure(12345)).toBe('12,345');
    expect(formatFigure(0.0034812)).toBe('0.00348');
    expect(formatFigure(1.23456)).toBe('1.23');
    expect(formatFigure(0)).toBe('0');
    expect(formatFigure(109.6)).toBe('109.6');
    expect(formatFigure(1234.56)).toBe('1,234.6');
  });
});
