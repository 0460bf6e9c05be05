import { describe, expect, it } from 'vitest';
import { benchResultSchema, parseBenchResult } from '../../../bench/result-schema';
import { buildBenchResult } from './bench-result-factory';

const REQUIRED_KEYS = [
  'render_overhead_ratio',
  'latency_create_to_queued_ms',
  'latency_queued_to_rendering_ms',
  'latency_done_to_browser_ms',
  'pipeline_jobs_per_second',
  'pipeline_lost',
  'pipeline_duplicate_renders',
  'pipeline_max_in_flight',
  'pipeline_render_cap',
  'studio_initial_js_gzip_kb',
  'cloud_cost_usd',
] as const;

describe('bench result schema', () => {
  it('accepts a complete result and round-trips it through JSON', () => {
    const result = buildBenchResult();
    expect(parseBenchResult(JSON.parse(JSON.stringify(result)), 'latest.json')).toEqual(result);
  });

  it.each(REQUIRED_KEYS)('requires the issue key %s (null allowed, absent not)', (key) => {
    const withNull = buildBenchResult({ [key]: null, unavailable: { [key]: 'could not run' } });
    expect(benchResultSchema.safeParse(withNull).success).toBe(true);
    const without: Record<string, unknown> = { ...buildBenchResult() };
    delete without[key];
    expect(() => parseBenchResult(without, 'latest.json')).toThrow(
      new RegExp(`latest.json .*${key}`),
    );
  });

  it('rejects impossible figures, naming the field', () => {
    expect(() => parseBenchResult(buildBenchResult({ pipeline_lost: -1 }), 'x.json')).toThrow(
      /pipeline_lost/,
    );
    expect(() =>
      parseBenchResult(buildBenchResult({ render_overhead_ratio: 0 }), 'x.json'),
    ).toThrow(/render_overhead_ratio/);
    expect(() => parseBenchResult({ ...buildBenchResult(), schemaVersion: 2 }, 'x.json')).toThrow(
      /schema version 1: schemaVersion/,
    );
  });
});
