import React from 'react';
import {
  AbsoluteFill,
  Easing,
  Img,
  Sequence,
  interpolate,
  spring,
  staticFile,
  useCurrentFrame,
  useVideoConfig,
} from 'remotion';
import { NUMERIC_FONT_FEATURES, SANS_FONT_STACK } from '../../typography';
import { calculateFramesPerSlide, type SlideshowProps } from './schema';

const TRANSITION_FRAMES = 18;

type SlideProps = {
  slide: SlideshowProps['slides'][number];
  /** The first slide is on screen from frame 0, so the poster frame is never blank. */
  isFirst: boolean;
  transition: SlideshowProps['transition'];
  accentColor: string;
  visibleFrames: number;
};

/** Where the entering slide stands: `progress` runs 0 → 1 over the transition. */
function describeEntrance(
  transition: SlideProps['transition'],
  progress: number,
): React.CSSProperties {
  switch (transition) {
    case 'fade':
      return { opacity: progress };
    case 'slide':
      return {
        transform: `translateX(${interpolate(progress, [0, 1], [100, 0])}%)`,
        boxShadow: '-40px 0 80px rgba(0, 0, 0, 0.45)',
      };
    case 'zoom':
      return { opacity: progress, transform: `scale(${interpolate(progress, [0, 1], [1.25, 1])})` };
  }
}

const Slide: React.FC<SlideProps> = ({
  slide,
  isFirst,
  transition,
  accentColor,
  visibleFrames,
}) => {
  const frame = useCurrentFrame();
  const { fps } = useVideoConfig();
  const entrance = interpolate(frame, [0, TRANSITION_FRAMES], [0, 1], {
    extrapolateRight: 'clamp',
    easing: Easing.inOut(Easing.cubic),
  });
  // A slow push-in ("Ken Burns") keeps still images alive.
  const push = interpolate(frame, [0, visibleFrames], [1, 1.08]);
  const captionDelay = isFirst ? 8 : TRANSITION_FRAMES - 4;
  const caption = spring({ frame: frame - captionDelay, fps, config: { damping: 200 } });

  return (
    <AbsoluteFill
      style={{ overflow: 'hidden', ...(isFirst ? {} : describeEntrance(transition, entrance)) }}
    >
      <Img
        src={staticFile(slide.image)}
        style={{ width: '100%', height: '100%', objectFit: 'cover', transform: `scale(${push})` }}
      />
      <AbsoluteFill
        style={{
          background: 'linear-gradient(180deg, transparent 55%, rgba(2, 6, 23, 0.72) 100%)',
        }}
      />
      {slide.caption ? (
        <div
          style={{
            position: 'absolute',
            left: 80,
            right: 80,
            bottom: 84,
            display: 'flex',
            alignItems: 'center',
            gap: 20,
            opacity: caption,
            transform: `translateY(${interpolate(caption, [0, 1], [24, 0])}px)`,
          }}
        >
          <div style={{ width: 6, height: 52, borderRadius: 3, backgroundColor: accentColor }} />
          <div
            style={{
              color: '#f8fafc',
              fontSize: 48,
              fontWeight: 700,
              letterSpacing: '-0.02em',
              lineHeight: 1.15,
              textShadow: '0 2px 24px rgba(0, 0, 0, 0.45)',
            }}
          >
            {slide.caption}
          </div>
        </div>
      ) : null}
    </AbsoluteFill>
  );
};

/** Images from `public/` with captions, one after another, with a progress bar and counter. */
export const Slideshow: React.FC<SlideshowProps> = ({
  slides,
  secondsPerSlide,
  transition,
  accentColor,
}) => {
  const frame = useCurrentFrame();
  const { durationInFrames } = useVideoConfig();
  const framesPerSlide = calculateFramesPerSlide({ secondsPerSlide });
  const current = Math.min(Math.floor(frame / framesPerSlide), slides.length - 1);

  return (
    <AbsoluteFill style={{ backgroundColor: '#020617', fontFamily: SANS_FONT_STACK }}>
      {slides.map((slide, index) => {
        const isLast = index === slides.length - 1;
        // Each slide stays a little longer so the next one can enter over it.
        const visibleFrames = framesPerSlide + (isLast ? 0 : TRANSITION_FRAMES);
        return (
          <Sequence
            key={`${index}-${slide.image}`}
            from={index * framesPerSlide}
            durationInFrames={visibleFrames}
            name={`Slide ${index + 1}`}
          >
            <Slide
              slide={slide}
              isFirst={index === 0}
              transition={transition}
              accentColor={accentColor}
              visibleFrames={visibleFrames}
            />
          </Sequence>
        );
      })}
      <div
        style={{
          position: 'absolute',
          top: 48,
          right: 64,
          padding: '8px 16px',
          borderRadius: 999,
          backgroundColor: 'rgba(2, 6, 23, 0.45)',
          color: '#f8fafc',
          fontSize: 22,
          fontWeight: 600,
          letterSpacing: '0.08em',
          fontFeatureSettings: NUMERIC_FONT_FEATURES,
        }}
      >
        {String(current + 1).padStart(2, '0')} / {String(slides.length).padStart(2, '0')}
      </div>
      <div
        style={{
          position: 'absolute',
          left: 0,
          bottom: 0,
          height: 6,
          width: `${((frame + 1) / durationInFrames) * 100}%`,
          backgroundColor: accentColor,
        }}
      />
    </AbsoluteFill>
  );
};
