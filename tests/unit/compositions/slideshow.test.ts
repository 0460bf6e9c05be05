import { describe, expect, it } from 'vitest';
import { parseInputProps, publicImages } from '../../../remotion/catalog';
import { slideshowSpec } from '../../../remotion/compositions/slideshow/schema';

function listIssues(input: Record<string, unknown>) {
  const result = parseInputProps('slideshow', input);
  return result.ok ? [] : result.issues;
}

describe('slideshow props', () => {
  it.each([0.5, 11, Number.NaN])('rejects %s seconds per slide', (seconds) => {
    expect(listIssues({ secondsPerSlide: seconds })).toEqual([
      { path: 'secondsPerSlide', message: expect.stringMatching(/^`secondsPerSlide` must be/) },
    ]);
  });

  it('says the bound and the value for too many seconds', () => {
    expect(listIssues({ secondsPerSlide: 11 })).toEqual([
      { path: 'secondsPerSlide', message: '`secondsPerSlide` must be at most 10, but got 11' },
    ]);
  });

  it('rejects an image that is not shipped in public/, listing the ones that are', () => {
    const issues = listIssues({ slides: [{ image: 'https://example.com/cat.png', caption: '' }] });

    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe('slides[0].image');
    expect(issues[0]?.message).toContain('but got "https://example.com/cat.png"');
    for (const image of publicImages) expect(issues[0]?.message).toContain(image);
  });

  it('rejects an empty list of slides', () => {
    expect(listIssues({ slides: [] })).toEqual([
      { path: 'slides', message: '`slides` must have at least 1 item, but got 0' },
    ]);
  });

  it('rejects an unknown transition', () => {
    expect(listIssues({ transition: 'wipe' })).toEqual([
      {
        path: 'transition',
        message: '`transition` must be one of "fade", "slide", "zoom", but got "wipe"',
      },
    ]);
  });

  it('lasts as long as its slides take', () => {
    const props = {
      ...slideshowSpec.defaultProps,
      slides: [
        { image: publicImages[0], caption: 'One' },
        { image: publicImages[1], caption: '' },
      ],
      secondsPerSlide: 3,
    };

    expect(slideshowSpec.calculateDurationInFrames?.(props)).toBe(2 * 3 * slideshowSpec.fps);
    expect(slideshowSpec.durationInFrames).toBe(
      slideshowSpec.defaultProps.slides.length *
        slideshowSpec.defaultProps.secondsPerSlide *
        slideshowSpec.fps,
    );
  });
});
