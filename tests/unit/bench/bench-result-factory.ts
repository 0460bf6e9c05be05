import { estimateRenderCost, DEFAULT_COST_ASSUMPTIONS } from '../../../bench/cloud-cost';
import type { BenchResult } from '../../../bench/result-schema';

/** A complete, valid bench result; override what a test is about. */
export function buildBenchResult(overrides: Partial<BenchResult> = {}): BenchResult {
  const estimates = [10, 60, 600].map((seconds) => estimateRenderCost(seconds));
  return {
    schemaVersion: 1,
    timestamp: '2026-11-23T01:00:00.000Z',
    mode: 'quick',
    command: 'npm run bench -- --quick',
    durationSeconds: 170,
    machine: {
      platform: 'linux',
      arch: 'x64',
      cpuModel: 'Test CPU',
      cpuCount: 2,
      memoryGb: 8,
      node: 'v20.0.0',
      loadAverageAtStart: [1, 1, 1],
    },
    render_overhead_ratio: 0.8,
    render_pipeline_median_ms: 12_000,
    render_cli_median_ms: 15_000,
    render_pipeline_samples_ms: [11_000, 12_000, 13_000],
    render_cli_samples_ms: [14_000, 15_000, 16_000],
    render_overhead_seconds: 0.4,
    render_warm_median_ms: 11_600,
    render_warm_samples_ms: [10_600, 11_600, 12_600],
    latency_create_to_queued_ms: { p50: 300, p95: 600, samples: 20 },
    latency_queued_to_rendering_ms: { p50: 500, p95: 1000, samples: 20 },
    latency_done_to_browser_ms: { p50: 400, p95: 1100, samples: 20 },
    pipeline_jobs: 1000,
    pipeline_jobs_per_second: 7.5,
    pipeline_lost: 0,
    pipeline_duplicate_renders: 0,
    pipeline_max_in_flight: 16,
    pipeline_render_cap: 16,
    pipeline_final_statuses: { SUCCEEDED: 1000 },
    studio_initial_js_gzip_kb: 250.5,
    worker_peak_rss_mb: 145,
    worker_memory_mb: 256,
    npm_start_idle_mb: 2200,
    npm_start_rendering_mb: 3300,
    npm_start_largest_process: { command: 'node --import tsx local/start.ts', mb: 1700 },
    studio_initial_js_files: ['/assets/index-abc.js'],
    cloud_cost_usd: {
      '10s': estimates[0]!.totalUsd,
      '1min': estimates[1]!.totalUsd,
      '10min': estimates[2]!.totalUsd,
    },
    cloud_cost_details: { assumptions: DEFAULT_COST_ASSUMPTIONS, estimates },
    unavailable: {},
    ...overrides,
  };
}
