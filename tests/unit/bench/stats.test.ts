import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  computeMaxOverlap,
  computeMedian,
  computePercentile,
  summarizeLatencies,
} from '../../../bench/stats';

describe('computePercentile (nearest rank)', () => {
  it('picks the nearest-rank value of an unsorted sample', () => {
    const values = [50, 10, 40, 20, 30];
    expect(computePercentile(values, 50)).toBe(30);
    expect(computePercentile(values, 95)).toBe(50);
    expect(computePercentile(values, 0)).toBe(10);
    expect(computePercentile(values, 20)).toBe(10);
    expect(computePercentile(values, 21)).toBe(20);
  });

  it('returns null for an empty sample instead of inventing a number', () => {
    expect(computePercentile([], 50)).toBeNull();
  });

  it('rejects a percentile outside 0–100 and non-finite values, saying what came', () => {
    expect(() => computePercentile([1], 101)).toThrow(/0 to 100, but got 101/);
    expect(() => computePercentile([1, Number.NaN], 50)).toThrow(/finite/);
  });

  it('always returns a member of the sample, ordered by percentile', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 50 }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 100 }),
        (values, p, q) => {
          const a = computePercentile(values, Math.min(p, q))!;
          const b = computePercentile(values, Math.max(p, q))!;
          expect(values).toContain(a);
          expect(a).toBeLessThanOrEqual(b);
          // At least p % of the values are at or below the p-th percentile.
          const atOrBelow = values.filter((value) => value <= b).length;
          expect(atOrBelow / values.length).toBeGreaterThanOrEqual(Math.max(p, q) / 100);
        },
      ),
    );
  });
});

describe('computeMedian', () => {
  it('takes the middle value, or the mean of the two middle values', () => {
    expect(computeMedian([3, 1, 2])).toBe(2);
    expect(computeMedian([4, 1, 3, 2])).toBe(2.5);
    expect(computeMedian([])).toBeNull();
  });
});

describe('summarizeLatencies', () => {
  it('reports p50, p95 and the sample size', () => {
    const values = Array.from({ length: 20 }, (_, index) => index + 1);
    expect(summarizeLatencies(values)).toEqual({ p50: 10, p95: 19, samples: 20 });
    expect(summarizeLatencies([])).toEqual({ p50: null, p95: null, samples: 0 });
  });
});

describe('computeMaxOverlap', () => {
  it('counts the most intervals open at once; an end frees its slot before a start at the same instant', () => {
    expect(
      computeMaxOverlap([
        { start: 0, end: 10 },
        { start: 5, end: 15 },
        { start: 10, end: 20 },
        { start: 12, end: 13 },
      ]),
    ).toBe(3);
    expect(computeMaxOverlap([])).toBe(0);
  });

  it('agrees with a brute-force count at every start', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc
            .tuple(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 1, max: 30 }))
            .map(([start, length]) => ({ start, end: start + length })),
          { maxLength: 30 },
        ),
        (intervals) => {
          const brute = Math.max(
            0,
            ...intervals.map(
              (probe) =>
                intervals.filter((other) => other.start <= probe.start && probe.start < other.end)
                  .length,
            ),
          );
          expect(computeMaxOverlap(intervals)).toBe(brute);
        },
      ),
    );
  });
});
