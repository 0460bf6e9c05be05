/**
 * System font stacks only: renders must not download fonts. Liberation Sans is what
 * Debian's Chromium has; Remotion's Lambda font layer and desktops pick the earlier names.
 */
export const SANS_FONT_STACK =
  "Inter, 'Segoe UI', 'Helvetica Neue', Helvetica, 'Liberation Sans', Arial, sans-serif";

/** Tabular figures for numbers that count up, so they do not jitter. */
export const NUMERIC_FONT_FEATURES = "'tnum' 1, 'lnum' 1";
