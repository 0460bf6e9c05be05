import { describe, expect, it } from 'vitest';
import {
  AWS_PRICES_US_EAST_1,
  COST_VIDEO_SECONDS,
  DEFAULT_COST_ASSUMPTIONS,
  estimateRenderCost,
  type CostAssumptions,
} from '../../../bench/cloud-cost';

// Round numbers make the hand arithmetic below easy to follow.
const assumptions: CostAssumptions = {
  ...DEFAULT_COST_ASSUMPTIONS,
  secondsPerFrame: 0.1,
  rendererStartupSeconds: 3,
  mainSetupSeconds: 2,
  combineSecondsPerVideoMinute: 1,
  remotionMemoryMb: 2048,
  remotionDiskMb: 2048,
  workerMemoryMb: 1024,
  workerOwnSeconds: 1,
  pollsPerSecond: 1,
  pollInvocationMs: 200,
  progressPushesPerSecond: 1,
  subscribers: 1,
};

describe('estimateRenderCost', () => {
  it('splits a 10 s video the way Remotion does and prices it with its estimatePrice (worked by hand)', () => {
    const estimate = estimateRenderCost(10, assumptions);
    // 300 frames; Remotion aims at ~76 Lambdas but at least 20 frames each → 15 Lambdas of 20 frames.
    expect(estimate.frames).toBe(300);
    expect(estimate.framesPerLambda).toBe(20);
    expect(estimate.renderLambdas).toBe(15);
    // Chunk: 3 s start-up + 20 × 0.1 s = 5 s. Main: 2 + 5 + 1 × 10/60 s.
    expect(estimate.renderWallSeconds).toBeCloseTo(7 + 1 / 6, 9);
    expect(estimate.remotionLambdaSeconds).toBeCloseTo(15 * 5 + 7 + 1 / 6, 9);
    // us-east-1 arm64: $0.0000133334/GB-s, storage $0.0000000309/GB-s above 512 MB, $0.20 per million requests.
    const seconds = 82 + 1 / 6;
    const byHand =
      2 * seconds * 0.0000133334 + ((2048 - 512) / 1024) * seconds * 0.0000000309 + 16 * 0.0000002;
    expect(estimate.remotionUsd).toBeCloseTo(byHand, 5);
  });

  it('prices the worker as GB-seconds for the whole wait plus its own work', () => {
    const estimate = estimateRenderCost(10, assumptions);
    const worker = estimate.overhead.find((line) => line.unit === 'GB-s')!;
    expect(worker.quantity).toBeCloseTo(1 * (7 + 1 / 6 + 1), 9);
    expect(worker.usd).toBeCloseTo((8 + 1 / 6) * AWS_PRICES_US_EAST_1.lambdaX86UsdPerGbSecond, 12);
  });

  it('counts one DynamoDB write and one AppSync message per progress push (~1/s of render)', () => {
    const short = estimateRenderCost(10, assumptions);
    const writes = short.overhead.find((line) => line.unit === 'WRU')!;
    const messages = short.overhead.find((line) => line.unit === 'message')!;
    // 8 pushes (ceil 7.17 s) + claim + renderId + final = 11 worker mutations, + the create.
    expect(messages.quantity).toBe(11);
    expect(writes.quantity).toBe(12);
    expect(writes.usd).toBeCloseTo(12 * 0.625e-6, 15);
  });

  it('prices the active-job listings as Scans of the whole Job table, growing with the jobs stored', () => {
    const reads = (items: number) =>
      estimateRenderCost(10, {
        ...assumptions,
        jobTableItems: items,
        jobItemBytes: 600,
      }).overhead.find((line) => line.unit === 'RRU')!;
    // 10,000 × 600 B = 6,000,000 B → 1,465 blocks of 4 KB → 732.5 RRU per Scan; two Scans + a 0.5 RRU get.
    expect(reads(10_000).quantity).toBe(0.5 + 2 * 732.5);
    expect(reads(100_000).quantity).toBeGreaterThan(9 * reads(10_000).quantity);
    const operations = estimateRenderCost(10, {
      ...assumptions,
      jobTableItems: 10_000,
    }).overhead.find((line) => line.unit === 'operation')!;
    // create + get + 2 listings × 10 pages + 11 worker mutations.
    expect(operations.quantity).toBe(2 + 20 + 11);
  });

  it('adds up: total = Remotion + overhead, and the share is overhead ÷ total', () => {
    for (const seconds of COST_VIDEO_SECONDS) {
      const estimate = estimateRenderCost(seconds, DEFAULT_COST_ASSUMPTIONS);
      const overhead = estimate.overhead.reduce((sum, line) => sum + line.usd, 0);
      expect(estimate.overheadUsd).toBeCloseTo(overhead, 15);
      expect(estimate.totalUsd).toBeCloseTo(estimate.remotionUsd + overhead, 15);
      expect(estimate.overheadShare).toBeCloseTo(overhead / estimate.totalUsd, 12);
      expect(estimate.overheadShare).toBeGreaterThan(0);
      expect(estimate.overheadShare).toBeLessThan(1);
    }
  });

  it('costs more for a longer video, and more per frame when frames render slower', () => {
    const [tenSeconds, oneMinute, tenMinutes] = COST_VIDEO_SECONDS.map((seconds) =>
      estimateRenderCost(seconds, assumptions),
    );
    expect(oneMinute!.totalUsd).toBeGreaterThan(tenSeconds!.totalUsd);
    expect(tenMinutes!.totalUsd).toBeGreaterThan(oneMinute!.totalUsd);
    const slower = estimateRenderCost(60, { ...assumptions, secondsPerFrame: 0.2 });
    expect(slower.remotionUsd).toBeGreaterThan(oneMinute!.remotionUsd);
  });

  it('refuses a length or a frame time that is not positive, saying what came', () => {
    expect(() => estimateRenderCost(0, assumptions)).toThrow(/positive number, but got 0/);
    expect(() => estimateRenderCost(10, { ...assumptions, secondsPerFrame: -1 })).toThrow(
      /secondsPerFrame must be a positive number, but got -1/,
    );
  });
});
