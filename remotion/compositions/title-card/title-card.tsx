import React from 'react';
import {
  AbsoluteFill,
  Easing,
  interpolate,
  spring,
  useCurrentFrame,
  useVideoConfig,
} from 'remotion';
import { SANS_FONT_STACK } from '../../typography';
import type { TitleCardProps } from './schema';

const WORD_STAGGER_FRAMES = 4;
const EXIT_FRAMES = 18;

/** Shorter titles get bigger type, so every allowed length fits on two or three lines. */
function pickTitleFontSize(title: string): number {
  if (title.length <= 18) return 112;
  if (title.length <= 36) return 84;
  if (title.length <= 56) return 68;
  return 56;
}

/** A headline whose words spring up one after another, a growing accent rule and a subtitle. */
export const TitleCard: React.FC<TitleCardProps> = ({
  title,
  subtitle,
  backgroundColor,
  textColor,
}) => {
  const frame = useCurrentFrame();
  const { fps, durationInFrames } = useVideoConfig();
  const words = title.split(/\s+/).filter(Boolean);

  const exit = interpolate(frame, [durationInFrames - EXIT_FRAMES, durationInFrames - 1], [1, 0], {
    extrapolateLeft: 'clamp',
    extrapolateRight: 'clamp',
    easing: Easing.in(Easing.cubic),
  });
  const rule = spring({ frame: frame - 2, fps, config: { damping: 200 }, durationInFrames: 24 });
  const subtitleStart = 10 + words.length * WORD_STAGGER_FRAMES;
  const subtitleIn = spring({ frame: frame - subtitleStart, fps, config: { damping: 200 } });
  const drift = interpolate(frame, [0, durationInFrames], [0, 1]);

  // Two soft glows in tints of the text colour, drifting slowly so the still background breathes.
  const glow = `color-mix(in srgb, ${textColor} 16%, transparent)`;
  const glowWarm = `color-mix(in srgb, ${textColor} 9%, transparent)`;

  return (
    <AbsoluteFill style={{ backgroundColor, overflow: 'hidden', fontFamily: SANS_FONT_STACK }}>
      <AbsoluteFill
        style={{
          background: `radial-gradient(circle at ${18 + drift * 10}% ${22 + drift * 6}%, ${glow} 0%, transparent 42%),
            radial-gradient(circle at ${86 - drift * 8}% ${84 - drift * 10}%, ${glowWarm} 0%, transparent 48%)`,
        }}
      />
      <AbsoluteFill
        style={{
          background: `linear-gradient(180deg, transparent 55%, color-mix(in srgb, ${backgroundColor} 86%, black) 100%)`,
        }}
      />
      <AbsoluteFill
        style={{
          justifyContent: 'center',
          padding: '0 120px',
          opacity: exit,
          transform: `scale(${interpolate(exit, [0, 1], [0.97, 1])})`,
        }}
      >
        <div
          style={{
            width: interpolate(rule, [0, 1], [0, 120]),
            height: 6,
            borderRadius: 3,
            marginBottom: 36,
            backgroundColor: `color-mix(in srgb, ${textColor} 70%, transparent)`,
          }}
        />
        <h1
          style={{
            margin: 0,
            color: textColor,
            fontSize: pickTitleFontSize(title),
            fontWeight: 800,
            lineHeight: 1.05,
            letterSpacing: '-0.035em',
            display: 'flex',
            flexWrap: 'wrap',
            columnGap: '0.26em',
          }}
        >
          {words.map((word, index) => {
            const progress = spring({
              frame: frame - 6 - index * WORD_STAGGER_FRAMES,
              fps,
              config: { damping: 14, mass: 0.6, stiffness: 120 },
            });
            return (
              <span
                key={`${index}-${word}`}
                style={{
                  display: 'inline-block',
                  opacity: interpolate(progress, [0, 0.6], [0, 1], { extrapolateRight: 'clamp' }),
                  transform: `translateY(${interpolate(progress, [0, 1], [48, 0])}px)`,
                }}
              >
                {word}
              </span>
            );
          })}
        </h1>
        {subtitle ? (
          <p
            style={{
              margin: '32px 0 0',
              maxWidth: 900,
              color: textColor,
              opacity: subtitleIn * 0.72,
              transform: `translateY(${interpolate(subtitleIn, [0, 1], [20, 0])}px)`,
              fontSize: 34,
              fontWeight: 400,
              lineHeight: 1.35,
              letterSpacing: '-0.005em',
            }}
          >
            {subtitle}
          </p>
        ) : null}
      </AbsoluteFill>
    </AbsoluteFill>
  );
};
