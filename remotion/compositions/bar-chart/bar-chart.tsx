import React from 'react';
import { AbsoluteFill, interpolate, spring, useCurrentFrame, useVideoConfig } from 'remotion';
import { pickReadableTextColor } from '../../readable-text-color';
import { NUMERIC_FONT_FEATURES, SANS_FONT_STACK } from '../../typography';
import type { BarChartProps } from './schema';

const PADDING_X = 96;
const LABEL_WIDTH = 220;
const VALUE_WIDTH = 150;
const PLOT_TOP = 190;
const PLOT_BOTTOM = 72;
const BAR_STAGGER_FRAMES = 5;
const GRID_STEPS = [0.25, 0.5, 0.75, 1];

type Bar = BarChartProps['bars'][number];

function sortBars(bars: readonly Bar[], order: BarChartProps['sortOrder']): Bar[] {
  switch (order) {
    case 'largest-first':
      return [...bars].sort((a, b) => b.value - a.value);
    case 'smallest-first':
      return [...bars].sort((a, b) => a.value - b.value);
    case 'as-entered':
      return [...bars];
  }
}

function formatValue(value: number, target: number, unit: string): string {
  const digits = Number.isInteger(target) ? 0 : 1;
  const number = value.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
  return `${number}${unit}`;
}

/** Horizontal bars that grow in one after another while their values count up. */
export const BarChart: React.FC<BarChartProps> = ({
  title,
  unit,
  bars,
  showValues,
  sortOrder,
  backgroundColor,
}) => {
  const frame = useCurrentFrame();
  const { fps, width, height } = useVideoConfig();
  const textColor = pickReadableTextColor(backgroundColor);
  const muted = `color-mix(in srgb, ${textColor} 55%, transparent)`;
  const ordered = sortBars(bars, sortOrder);
  const largest = Math.max(...ordered.map((bar) => bar.value), 1);

  const plotHeight = height - PLOT_TOP - PLOT_BOTTOM;
  const rowHeight = Math.min(plotHeight / ordered.length, 96);
  const barThickness = Math.max(14, rowHeight * 0.58);
  const trackWidth = width - PADDING_X * 2 - LABEL_WIDTH - (showValues ? VALUE_WIDTH : 0);
  const labelSize = Math.min(30, Math.max(18, rowHeight * 0.34));

  const heading = spring({ frame, fps, config: { damping: 200 } });
  const grid = interpolate(frame, [4, 24], [0, 1], {
    extrapolateLeft: 'clamp',
    extrapolateRight: 'clamp',
  });

  return (
    <AbsoluteFill
      style={{
        backgroundColor,
        backgroundImage: `radial-gradient(ellipse at 85% 0%, color-mix(in srgb, ${textColor} 8%, transparent) 0%, transparent 55%)`,
        fontFamily: SANS_FONT_STACK,
        color: textColor,
      }}
    >
      <div
        style={{
          position: 'absolute',
          left: PADDING_X,
          right: PADDING_X,
          top: 72,
          opacity: heading,
          transform: `translateY(${interpolate(heading, [0, 1], [-16, 0])}px)`,
        }}
      >
        <div style={{ fontSize: 52, fontWeight: 800, letterSpacing: '-0.03em', lineHeight: 1.1 }}>
          {title}
        </div>
      </div>

      {GRID_STEPS.map((step) => (
        <div
          key={step}
          style={{
            position: 'absolute',
            top: PLOT_TOP - 8,
            bottom: PLOT_BOTTOM - 8,
            left: PADDING_X + LABEL_WIDTH + trackWidth * step,
            width: 1,
            backgroundColor: `color-mix(in srgb, ${textColor} 10%, transparent)`,
            opacity: grid,
          }}
        />
      ))}

      {ordered.map((bar, index) => {
        const grow = spring({
          frame: frame - 10 - index * BAR_STAGGER_FRAMES,
          fps,
          config: { damping: 18, mass: 0.8, stiffness: 90 },
        });
        const fraction = bar.value / largest;
        const barWidth = Math.max(trackWidth * fraction * grow, 0);
        const appear = interpolate(grow, [0, 0.25], [0, 1], { extrapolateRight: 'clamp' });
        return (
          <div
            key={`${index}-${bar.label}`}
            style={{
              position: 'absolute',
              left: PADDING_X,
              right: PADDING_X,
              top: PLOT_TOP + index * rowHeight,
              height: rowHeight,
              display: 'flex',
              alignItems: 'center',
              opacity: appear,
            }}
          >
            <div
              style={{
                width: LABEL_WIDTH,
                paddingRight: 24,
                textAlign: 'right',
                fontSize: labelSize,
                fontWeight: 600,
                color: muted,
                whiteSpace: 'nowrap',
                overflow: 'hidden',
                textOverflow: 'ellipsis',
              }}
            >
              {bar.label}
            </div>
            <div
              style={{
                width: barWidth,
                height: barThickness,
                borderRadius: `4px ${barThickness / 2}px ${barThickness / 2}px 4px`,
                background: `linear-gradient(90deg, color-mix(in srgb, ${bar.color} 70%, ${backgroundColor}) 0%, ${bar.color} 100%)`,
                boxShadow: `0 0 32px color-mix(in srgb, ${bar.color} 30%, transparent)`,
              }}
            />
            {showValues ? (
              <div
                style={{
                  paddingLeft: 18,
                  fontSize: labelSize,
                  fontWeight: 700,
                  fontFeatureSettings: NUMERIC_FONT_FEATURES,
                  whiteSpace: 'nowrap',
                }}
              >
                {formatValue(bar.value * Math.min(grow, 1), bar.value, unit)}
              </div>
            ) : null}
          </div>
        );
      })}
    </AbsoluteFill>
  );
};
