/** One bar: a measured figure, its reference or its previous value; `null` is drawn as "n/a". */
export interface ChartBar {
  label: string;
  value: number | null;
  kind: 'current' | 'reference' | 'previous';
}

/** A group of bars sharing one unit and one scale. */
export interface ChartPanel {
  title: string;
  unit: string;
  bars: ChartBar[];
}

const LAYOUT = {
  width: 760,
  labelWidth: 230,
  valueWidth: 110,
  barHeight: 16,
  barGap: 6,
  panelTitleHeight: 26,
  panelGap: 14,
  margin: 16,
} as const;

const FILL: Record<ChartBar['kind'], string> = {
  current: '#2563eb',
  reference: '#9ca3af',
  previous: '#cbd5e1',
};

/** Escapes text for SVG content and attribute values. */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Formats a number with 3 significant digits, keeping whole numbers whole. */
export function formatFigure(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) >= 1) return value.toLocaleString('en-US');
  if (value === 0) return '0';
  // One decimal from 10 up (109.6 KB, not 110); three significant digits below (0.00348).
  if (Math.abs(value) >= 10) return Number(value.toFixed(1)).toLocaleString('en-US');
  return Number(value.toPrecision(3)).toString();
}

/**
 * Writes a horizontal bar chart, one panel per unit, each scaled to its own largest value,
 * as a standalone SVG document (no external fonts or scripts, so GitHub renders it inline).
 */
export function renderBarChartSvg(title: string, panels: readonly ChartPanel[]): string {
  const { width, labelWidth, valueWidth, barHeight, barGap, panelTitleHeight, panelGap, margin } =
    LAYOUT;
  const plotWidth = width - 2 * margin - labelWidth - valueWidth;
  const parts: string[] = [];
  let y = margin + 20;
  parts.push(
    `<text x="${margin}" y="${y}" font-size="16" font-weight="bold">${escapeXml(title)}</text>`,
  );
  y += 12;
  for (const panel of panels) {
    y += panelTitleHeight;
    parts.push(
      `<text x="${margin}" y="${y - 8}" font-size="13" font-weight="bold">${escapeXml(panel.title)} (${escapeXml(panel.unit)})</text>`,
    );
    const largest = Math.max(0, ...panel.bars.map((bar) => bar.value ?? 0));
    for (const bar of panel.bars) {
      const textY = y + barHeight - 4;
      parts.push(
        `<text x="${margin + labelWidth - 8}" y="${textY}" font-size="12" text-anchor="end">${escapeXml(bar.label)}</text>`,
      );
      if (bar.value === null) {
        parts.push(
          `<text x="${margin + labelWidth}" y="${textY}" font-size="12" fill="#b91c1c">n/a</text>`,
        );
      } else {
        const barWidth = largest > 0 ? Math.max(1, (bar.value / largest) * plotWidth) : 1;
        parts.push(
          `<rect x="${margin + labelWidth}" y="${y}" width="${barWidth.toFixed(1)}" height="${barHeight}" fill="${FILL[bar.kind]}"><title>${escapeXml(`${bar.label}: ${bar.value}`)}</title></rect>`,
          `<text x="${(margin + labelWidth + barWidth + 6).toFixed(1)}" y="${textY}" font-size="12">${escapeXml(formatFigure(bar.value))}</text>`,
        );
      }
      y += barHeight + barGap;
    }
    y += panelGap;
  }
  const legendY = y + 8;
  const legend = (['current', 'reference', 'previous'] as const).map((kind, index) => {
    const x = margin + index * 150;
    return (
      `<rect x="${x}" y="${legendY - 10}" width="12" height="12" fill="${FILL[kind]}"/>` +
      `<text x="${x + 18}" y="${legendY}" font-size="12">${kind === 'current' ? 'this run' : kind === 'reference' ? 'reference' : 'previous run'}</text>`
    );
  });
  parts.push(...legend);
  const height = legendY + margin;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
