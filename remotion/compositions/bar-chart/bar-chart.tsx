import React from 'react';
import { AbsoluteFill, interpolate, spring, useCurrentFrame, useVideoConfig } from 'remotion';
import { pickReadableTextColor } from '../../readable-text-color';
import { NUMERIC_FONT_FEATURES, SANS_FONT_STACK } from '../../typography';
import type { BarChartProps } from './schema';

const BAR_STAGGER_FRAMES = 5;
const GRID_STEPS = [0.25, 0.5, 0.75, 1];
const MAX_ROW_HEIGHT = 96;

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

/** Fewer bars get bigger labels; twelve still fit in 720 px. */
function pickLabelFontSize(barCount: number): number {
  if (barCount <= 6) return 30;
  if (barCount <= 9) return 24;
  return 20;
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
  const { fps } = useVideoConfig();
  const textColor = pickReadableTextColor(backgroundColor);
  const muted = `color-mix(in srgb, ${textColor} 60%, transparent)`;
  const ordered = sortBars(bars, sortOrder);
  const largest = Math.max(...ordered.map((bar) => bar.value), 1);
  const fontSize = pickLabelFontSize(ordered.length);
  // Room for the longest label (about 0.6 em per character in a bold sans), within limits.
  const longestLabel = Math.max(...ordered.map((bar) => bar.label.length));
  const labelWidth = Math.min(Math.max(longestLabel * fontSize * 0.62 + 24, 120), 360);
  const valueWidth = showValues ? fontSize * 5 : 0;

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
        padding: '64px 96px 56px',
        display: 'flex',
        flexDirection: 'column',
        gap: 40,
      }}
    >
      <div
        style={{
          fontSize: title.length <= 36 ? 52 : 40,
          fontWeight: 800,
          letterSpacing: '-0.03em',
          lineHeight: 1.1,
          opacity: heading,
          transform: `translateY(${interpolate(heading, [0, 1], [-16, 0])}px)`,
        }}
      >
        {title}
      </div>

      <div
        style={{
          position: 'relative',
          flex: 1,
          display: 'flex',
          flexDirection: 'column',
          justifyContent: 'center',
        }}
      >
        <div
          style={{
            position: 'absolute',
            inset: `0 ${valueWidth}px 0 ${labelWidth}px`,
            opacity: grid,
          }}
        >
          {GRID_STEPS.map((step) => (
            <div
              key={step}
              style={{
                position: 'absolute',
                top: 0,
                bottom: 0,
                left: `${step * 100}%`,
                width: 1,
                backgroundColor: `color-mix(in srgb, ${textColor} 12%, transparent)`,
              }}
            />
          ))}
        </div>

        {ordered.map((bar, index) => {
          const grow = spring({
            frame: frame - 10 - index * BAR_STAGGER_FRAMES,
            fps,
            config: { damping: 18, mass: 0.8, stiffness: 90 },
          });
          const appear = interpolate(grow, [0, 0.25], [0, 1], { extrapolateRight: 'clamp' });
          return (
            <div
              key={`${index}-${bar.label}`}
              style={{
                position: 'relative',
                flex: 1,
                maxHeight: MAX_ROW_HEIGHT,
                display: 'flex',
                alignItems: 'center',
                opacity: appear,
              }}
            >
              <div
                style={{
                  width: labelWidth,
                  flexShrink: 0,
                  paddingRight: 24,
                  textAlign: 'right',
                  fontSize,
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
                  flex: 1,
                  height: '58%',
                  paddingRight: valueWidth,
                  display: 'flex',
                  alignItems: 'center',
                }}
              >
                <div
                  style={{
                    position: 'relative',
                    width: `${(bar.value / largest) * Math.max(grow, 0) * 100}%`,
                    height: '100%',
                    borderRadius: 999,
                    borderTopLeftRadius: 4,
                    borderBottomLeftRadius: 4,
                    background: `linear-gradient(90deg, color-mix(in srgb, ${bar.color} 70%, ${backgroundColor}) 0%, ${bar.color} 100%)`,
                    boxShadow: `0 0 32px color-mix(in srgb, ${bar.color} 30%, transparent)`,
                  }}
                >
                  {showValues ? (
                    <div
                      style={{
                        position: 'absolute',
                        left: 'calc(100% + 18px)',
                        top: '50%',
                        transform: 'translateY(-50%)',
                        fontSize,
                        fontWeight: 700,
                        fontFeatureSettings: NUMERIC_FONT_FEATURES,
                        whiteSpace: 'nowrap',
                      }}
                    >
                      {formatValue(bar.value * Math.min(grow, 1), bar.value, unit)}
                    </div>
                  ) : null}
                </div>
              </div>
            </div>
          );
        })}
      </div>
    </AbsoluteFill>
  );
};
