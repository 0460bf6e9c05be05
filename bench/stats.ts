/** The nearest-rank percentile (0–100) of `values`; null for an empty list, so a missing figure is never invented. */
export function computePercentile(values: readonly number[], percentile: number): number | null {
  if (!(percentile >= 0 && percentile <= 100)) {
    throw new RangeError(`percentile must be from 0 to 100, but got ${percentile}`);
  }
  const finite = values.filter((value) => Number.isFinite(value));
  if (finite.length !== values.length) {
    throw new RangeError(
      `percentile input must be finite numbers, but got ${JSON.stringify(values)}`,
    );
  }
  if (finite.length === 0) return null;
  const sorted = [...finite].sort((a, b) => a - b);
  // Nearest rank: the smallest value with at least `percentile`% of the values at or below it.
  const rank = Math.max(1, Math.ceil((percentile / 100) * sorted.length));
  return sorted[rank - 1]!;
}

/** The median (mean of the two middle values for an even count); null for an empty list. */
export function computeMedian(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** p50 and p95 of a sample, with its size, as stored in the results. */
export interface LatencySummary {
  p50: number | null;
  p95: number | null;
  samples: number;
}

/** Summarises latencies (ms) as p50/p95, rounded to 0.1 ms. */
export function summarizeLatencies(values: readonly number[]): LatencySummary {
  const round = (value: number | null) => (value === null ? null : Math.round(value * 10) / 10);
  return {
    p50: round(computePercentile(values, 50)),
    p95: round(computePercentile(values, 95)),
    samples: values.length,
  };
}

/** The most intervals [start, end) that overlap at any instant (an end at t frees its slot before a start at t). */
export function computeMaxOverlap(intervals: readonly { start: number; end: number }[]): number {
  const events = intervals.flatMap(({ start, end }) => [
    { at: start, delta: 1 },
    { at: end, delta: -1 },
  ]);
  events.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let current = 0;
  let max = 0;
  for (const event of events) {
    current += event.delta;
    max = Math.max(max, current);
  }
  return max;
}
