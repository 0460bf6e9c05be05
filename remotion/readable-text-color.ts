/**
 * Near-white or near-black, whichever reads better on a `#rrggbb` background
 * (WCAG relative luminance; 0.18 is where the two contrasts cross).
 */
export function pickReadableTextColor(background: string): string {
  const channels = [1, 3, 5].map((start) => {
    const value = parseInt(background.slice(start, start + 2), 16) / 255;
    return value <= 0.04045 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
  });
  const [red = 0, green = 0, blue = 0] = channels;
  const luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue;
  return luminance > 0.18 ? '#0f172a' : '#f8fafc';
}
