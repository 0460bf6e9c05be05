import { describe, expect, it } from 'vitest';
import {
  AWS_PRICES_US_EAST_1,
  COST_VIDEO_SECONDS,
  DEFAULT_COST_ASSUMPTIONS,
  estimateRenderCost,
  REQUESTS_PER_JOB,
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
  workerMemoryMb: 256,
  workerOwnSeconds: 1,
  pollIntervalSeconds: 2,
  wakeUpWorkerSeconds: 0.3,
  subscribers: 1,
  jobIndexes: 2,
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

  it('prices the worker on arm64 as GB-seconds for the whole wait, its own work and the wake-up', () => {
    const estimate = estimateRenderCost(10, assumptions);
    const worker = estimate.overhead.find((line) => line.unit === 'GB-s')!;
    // The render's 7 + 1/6 s (the 3.1 s poster runs inside it), own work 1 s, wake-up 0.3 s.
    expect(worker.quantity).toBeCloseTo(0.25 * (7 + 1 / 6 + 1 + 0.3), 9);
    expect(worker.usd).toBeCloseTo(
      0.25 * (8.3 + 1 / 6) * AWS_PRICES_US_EAST_1.lambdaArmUsdPerGbSecond,
      12,
    );
  });

  it("prices the poster as one invocation of the Remotion function: a renderer's start-up and one frame", () => {
    const poster = estimateRenderCost(10, assumptions).overhead.find(
      (line) => line.unit === 'invocation',
    )!;
    expect(poster.item).toMatch(/^poster: renderStillOnLambda/);
    expect(poster.quantity).toBe(1);
    // 2 GB × 3.1 s on arm64, storage above 512 MB, one request: $0.0000830 by hand; Remotion's estimatePrice
    // answers in whole hundred-thousandths of a dollar.
    const byHand = 2 * 3.1 * 0.0000133334 + 1.5 * 3.1 * 0.0000000309 + 0.0000002;
    expect(poster.usd).toBeCloseTo(byHand, 5);
  });

  it('counts one conditional push per poll every 2 s: AppSync operations, messages and index writes', () => {
    const short = estimateRenderCost(10, assumptions);
    const byUnit = (unit: string) => short.overhead.find((line) => line.unit === unit)!;
    // 7.17 s of render → 3 polls, each one push; Job writes: create, claim, render id, final + 3 pushes = 7.
    expect(byUnit('message').quantity).toBe(7);
    // AppSync carries only those Job writes: the worker's reads and slots go to the tables themselves.
    expect(byUnit('operation').quantity).toBe(7);
    // 7 Job writes × (table + 2 indexes) + 2 status moves + 2 slot writes + 7 ledger writes.
    expect(byUnit('WRU').quantity).toBe(7 * 3 + 2 + 2 + 7);
    expect(byUnit('WRU').usd).toBeCloseTo(32 * 0.625e-6, 15);
    // getRenderProgress reads S3, never invokes: the 3 polls, one more on the webhook's wake-up, the video's HEAD.
    expect(byUnit('S3 request').quantity).toBe(5);
    expect(byUnit('S3 request').usd).toBeCloseTo(5 * 0.4e-6, 15);
  });

  it('costs the same however many jobs are stored (index queries, no table scans)', () => {
    const reads = estimateRenderCost(10, assumptions).overhead.find((line) => line.unit === 'RRU')!;
    // 3 consistent job reads + 2 consistent slot queries (1 unit each), 2 status-index queries (0.5 each), 2
    // consistent ledger reads: no read grows with the table.
    expect(reads.quantity).toBe(3 + 2 + 2 * 0.5 + 2);
    expect(reads.quantity).toBe(
      REQUESTS_PER_JOB.consistentTableReads +
        REQUESTS_PER_JOB.statusIndexReads * 0.5 +
        REQUESTS_PER_JOB.ledgerStrongReads,
    );
  });

  it('polls less when the interval is longer, and the overhead share falls with it', () => {
    const every2 = estimateRenderCost(60, assumptions);
    const every5 = estimateRenderCost(60, { ...assumptions, pollIntervalSeconds: 5 });
    expect(every5.overheadUsd).toBeLessThan(every2.overheadUsd);
    expect(every5.remotionUsd).toBe(every2.remotionUsd);
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
