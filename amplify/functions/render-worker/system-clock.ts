import type { Clock } from './ports';

/** Real time, for Lambda and local mode. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};
