import { describe, expect, it } from 'vitest';
import {
  buildChartPanels,
  checkTargets,
  costKeyOf,
  renderBenchmarksMarkdown,
} from '../../../bench/write-report';
import { buildBenchResult } from './bench-result-factory';

describe('renderBenchmarksMarkdown', () => {
  it('shows each figure beside its reference and the command that produced it', () => {
    const markdown = renderBenchmarksMarkdown(buildBenchResult(), null);
    const row = (key: string) =>
      markdown.split('\n').find((line) => line.startsWith(`| \`${key}`))!;
    expect(row('render_overhead_ratio')).toMatch(
      /\| 0\.8 \| 1\.0 = the CLI.*npx remotion render title-card/,
    );
    expect(row('render_overhead_seconds')).toMatch(
      /\| 0\.4 s \| warm in-process render 11,600 ms \(n=3\); target ≤ 0\.5 s \|/,
    );
    expect(row('render_pipeline_added_ms')).toMatch(
      /\| 400 ms \| each pipeline run's wall time minus its own render .*median of 3; that render took 11,500 ms \(median\) in the pipeline, 11,600 ms in-process \|/,
    );
    expect(row('worker_peak_rss_mb')).toMatch(/\| 145 MB \| configured memory 256 MB \|/);
    expect(row('npm_start_rendering_mb')).toContain(
      'largest at the peak: `node --import tsx local/start.ts` 1,700 MB',
    );
    expect(row('pipeline_max_in_flight')).toMatch(/\| 16 \| cap `pipeline_render_cap` = 16 \|/);
    expect(row('latency_done_to_browser_ms')).toContain('p50 400 ms · p95 1,100 ms (n=20)');
    expect(row('latency_done_to_browser_webhook_ms')).toMatch(
      /p50 60 ms · p95 120 ms \(n=20\) \| .*p50 0\.1× of poll-only's/,
    );
    expect(row('latency_done_to_browser_poll_only_ms')).toMatch(
      /p50 600 ms · p95 1,000 ms \(n=20\) \| reference: polling only/,
    );
    expect(row('cloud_cost_usd.10s')).toMatch(/Remotion `estimatePrice` alone \$/);
    expect(markdown).toContain('![benchmark chart](bench/results/chart.svg)');
    expect(markdown).toContain('Previous run: none recorded.');
  });

  it('shows the change against the previous run', () => {
    const previous = buildBenchResult({
      render_overhead_ratio: 1,
      timestamp: '2026-11-22T01:00:00.000Z',
    });
    const markdown = renderBenchmarksMarkdown(buildBenchResult(), previous);
    expect(markdown).toContain('| 1 (-20 %) |');
    expect(markdown).toContain('Previous run: 2026-11-22T01:00:00.000Z');
  });

  it('does not turn a previous run of another size into a change: it shows that run and its size', () => {
    const row = (markdown: string, key: string) =>
      markdown.split('\n').find((line) => line.startsWith(`| \`${key}\``))!;
    const smaller = buildBenchResult({ pipeline_jobs: 400, batch_rows: 300 });
    const bigger = buildBenchResult({
      pipeline_jobs: 1000,
      pipeline_jobs_per_second: 5,
      batch_rows: 1000,
      batch_10k_seconds: 250,
    });
    const markdown = renderBenchmarksMarkdown(smaller, bigger);
    expect(row(markdown, 'pipeline_jobs_per_second')).toContain(
      '| 5 over 1,000 jobs (not compared) |',
    );
    expect(row(markdown, 'batch_10k_seconds')).toContain('| 250 over 1,000 rows (not compared) |');
    expect(row(markdown, 'batch_10k_seconds')).not.toMatch(/%/);
    // The same sizes: a change as before.
    const same = renderBenchmarksMarkdown(
      buildBenchResult({ pipeline_jobs_per_second: 7.5 }),
      buildBenchResult({ pipeline_jobs_per_second: 5 }),
    );
    expect(row(same, 'pipeline_jobs_per_second')).toContain('| 5 (+50 %) |');
  });

  it('lists why a figure is missing instead of showing a number', () => {
    const markdown = renderBenchmarksMarkdown(
      buildBenchResult({
        pipeline_lost: null,
        unavailable: { pipeline_lost: 'the local stack did not start: port in use' },
      }),
      null,
    );
    expect(markdown).toMatch(/\| `pipeline_lost` \| n\/a \|/);
    expect(markdown).toContain('- `pipeline_lost`: the local stack did not start: port in use');
  });

  it('keeps every full-mode run beside a quick run, newest first, each with only what it measured', () => {
    const full = buildBenchResult({
      mode: 'full',
      command: 'npm run bench -- --only=pipeline',
      timestamp: '2026-12-06T22:10:00.000Z',
      pipeline_jobs: 10_000,
      pipeline_jobs_per_second: 4.2,
      pipeline_lost: 10,
      batch_rows: null,
      batch_enqueue_rows_per_second: null,
      batch_10k_seconds: null,
      batch_fair_start_ms: null,
      batch_lost: null,
      batch_duplicate_renders: null,
      batch_max_in_flight: null,
      batch_worker_deliveries: null,
      unavailable: {
        pipeline_lost: '1800 s after the last create the statuses were {"QUEUED":10}',
        batch_rows: 'not selected in this run (--only=pipeline)',
      },
    });
    const quick = buildBenchResult();
    const batchRun = buildBenchResult({
      mode: 'full',
      command: 'npm run bench -- --only=batch',
      timestamp: '2026-12-07T01:00:00.000Z',
      pipeline_jobs: null,
      pipeline_jobs_per_second: null,
      pipeline_lost: null,
      pipeline_duplicate_renders: null,
      pipeline_max_in_flight: null,
      batch_rows: 10_000,
      batch_10k_seconds: 1234.5,
    });
    const markdown = renderBenchmarksMarkdown(quick, null, [
      { file: 'full-batch.json', result: batchRun },
      { file: 'full-pipeline.json', result: full },
    ]);
    const section = markdown.slice(markdown.indexOf('## Full-mode runs'));
    const pipelineRun = section.slice(section.indexOf('### `npm run bench -- --only=pipeline`'));
    // Both runs stay on record, newest first, each naming its file.
    expect(section.indexOf('--only=batch')).toBeLessThan(section.indexOf('--only=pipeline'));
    expect(section).toContain('bench/results/full-batch.json');
    expect(section).toContain('| `batch_10k_seconds` | 1,234.5 s |');
    // How many renders held the cap when the other user's job came: the room it had at once.
    expect(section).toContain(
      "| `batch_fair_start_ms` | 300 ms (reference before the batch: 280 ms; 8 of the cap's 16 renders in flight when it was created) |",
    );
    expect(
      renderBenchmarksMarkdown(quick, null, [
        { file: 'full-batch.json', result: { ...batchRun, batch_fair_start_in_flight: null } },
      ]),
    ).toContain('| `batch_fair_start_ms` | 300 ms (reference before the batch: 280 ms) |');
    // A batch that had not ended by the deadline: its "lost" rows are unfinished ones, and the table says so.
    const unfinished = renderBenchmarksMarkdown(quick, null, [
      {
        file: 'full-batch.json',
        result: { ...batchRun, batch_10k_seconds: null, batch_lost: 3_500 },
      },
    ]);
    expect(unfinished).toContain(
      "| `batch_lost` | 3,500 not SUCCEEDED when the run's deadline came (the batch had not ended; see below) |",
    );
    expect(pipelineRun).toContain('On 2026-12-06T22:10:00.000Z');
    expect(pipelineRun).toContain('bench/results/full-pipeline.json');
    expect(pipelineRun).toContain('| `pipeline_jobs` | 10,000 |');
    expect(pipelineRun).toContain('| `pipeline_jobs_per_second` | 4.2 |');
    // Jobs still waiting when the drain budget ended: unfinished, and the table says so.
    expect(pipelineRun).toContain(
      '| `pipeline_lost` | 10 not SUCCEEDED when the drain budget ended (see below) |',
    );
    expect(pipelineRun).not.toContain('batch_enqueue_rows_per_second');
    expect(pipelineRun).not.toContain('batch_max_in_flight');
    // A batch-only run lists no pipeline figure, composed ones included.
    const batchOnly = section.slice(0, section.indexOf('### `npm run bench -- --only=pipeline`'));
    expect(batchOnly).not.toContain('pipeline_max_in_flight');
    expect(pipelineRun).toContain('- `pipeline_lost`: 1800 s after the last create');
    expect(section).not.toContain('not selected in this run');

    expect(renderBenchmarksMarkdown(quick, null)).not.toContain('## Full-mode runs');
    // A full run is itself the table: no second copy of it.
    expect(
      renderBenchmarksMarkdown(full, null, [{ file: 'full-pipeline.json', result: full }]),
    ).not.toContain('## Full-mode runs');
  });

  it('shows the cost arithmetic for every length', () => {
    const markdown = renderBenchmarksMarkdown(buildBenchResult(), null);
    for (const key of ['10s', '1min', '10min'])
      expect(markdown).toContain(`**Overhead for ${key}**`);
    expect(markdown).toMatch(/\| 10min \| 18000 \| 120 \| 150 \+ 1 main \|/);
  });

  it("shows each format's render time, its factor against MP4 and a cloud minute's cost", () => {
    const timed = buildBenchResult({
      render_seconds_mp4: 20,
      render_seconds_webm: 22,
      render_seconds_gif: 30,
      render_seconds_prores: 28,
      render_seconds_png_zip: 27,
      cloud_cost_usd_1min_by_format: { mp4: 0.0171, webm: 0.0192 },
    });
    const row = renderBenchmarksMarkdown(timed, buildBenchResult())
      .split('\n')
      .find((line) => line.startsWith('| render time per output format |'));
    expect(row).toContain(
      '| MP4 (H.264) 20 s · WebM (VP9) 22 s (1.1×) · GIF 30 s (1.5×) · ProRes (MOV) 28 s (1.4×) · PNG sequence (ZIP) 27 s (1.35×) |',
    );
    expect(row).toContain('cloud, 1 min of video: MP4 (H.264) $0.0171 · WebM (VP9) $0.0192');
    // The previous run timed no format.
    expect(row).toMatch(/\| n\/a \| `npm run bench/);
  });
});

describe('buildChartPanels', () => {
  it('puts every figure beside its reference, and the previous run only when there is one', () => {
    const panels = buildChartPanels(buildBenchResult(), null);
    const render = panels.find((panel) => panel.title.startsWith('Render'))!;
    expect(render.bars.map((bar) => [bar.kind, bar.value])).toEqual([
      ['current', 12_000],
      ['reference', 15_000],
    ]);
    const withPrevious = buildChartPanels(
      buildBenchResult(),
      buildBenchResult({ render_pipeline_median_ms: 9_000 }),
    );
    expect(withPrevious.find((panel) => panel.title.startsWith('Render'))!.bars.at(-1)).toEqual({
      label: 'pipeline, previous run',
      value: 9_000,
      kind: 'previous',
    });
  });
});

describe('costKeyOf', () => {
  it('names the three lengths and refuses others', () => {
    expect([10, 60, 600].map(costKeyOf)).toEqual(['10s', '1min', '10min']);
    expect(() => costKeyOf(30)).toThrow(/10, 60 or 600 seconds, but got 30/);
  });
});

describe('checkTargets', () => {
  const verdicts = (result: Parameters<typeof checkTargets>[0]) =>
    Object.fromEntries(checkTargets(result).map((check) => [check.figure, check.met]));

  it("judges each of issue 15's targets from the run's own figures", () => {
    const fast = buildBenchResult({
      durationSeconds: 400,
      latency_done_to_browser_ms: { p50: 80, p95: 300, samples: 20 },
      render_overhead_seconds: 0.5,
      pipeline_jobs_per_second: 50,
      render_seconds_mp4: 20,
      render_seconds_webm: 22,
      render_seconds_gif: 30,
      render_seconds_prores: 28,
      render_seconds_png_zip: 27,
      cloud_cost_usd_1min_by_format: { mp4: 0.02 },
    });
    const met = verdicts(fast);
    expect(met['`latency_done_to_browser_ms` p95']).toBe(true);
    expect(met['`render_overhead_seconds`']).toBe(true);
    expect(met['`pipeline_jobs_per_second`']).toBe(true);
    expect(met['`npm run bench -- --quick` wall time']).toBe(true);
    // The factory's cost estimates are today's model: a 10 s video's overhead is above 2 %.
    expect(met['cloud overhead share, 10 s video']).toBe(false);

    const slow = verdicts(
      buildBenchResult({
        durationSeconds: 421,
        latency_done_to_browser_ms: { p50: 80, p95: 301, samples: 20 },
        render_overhead_seconds: 0.6,
      }),
    );
    expect(slow['`latency_done_to_browser_ms` p95']).toBe(false);
    expect(slow['`render_overhead_seconds`']).toBe(false);
    expect(slow['`npm run bench -- --quick` wall time']).toBe(false);
  });

  it('does not count a throughput that lost a job or broke the cap', () => {
    expect(
      verdicts(buildBenchResult({ pipeline_jobs_per_second: 60, pipeline_lost: 1 }))[
        '`pipeline_jobs_per_second`'
      ],
    ).toBe(false);
    expect(
      verdicts(buildBenchResult({ pipeline_jobs_per_second: 60, pipeline_max_in_flight: 17 }))[
        '`pipeline_jobs_per_second`'
      ],
    ).toBe(false);
  });

  it('names the missing figures of a quick run and leaves unmeasured ones unjudged', () => {
    const quick = checkTargets(buildBenchResult({ durationSeconds: 100 })).find((check) =>
      check.figure.includes('--quick'),
    )!;
    expect(quick.met).toBe(false);
    expect(quick.measured).toContain('render_seconds_mp4');
    const partial = verdicts(
      buildBenchResult({
        mode: 'full',
        render_overhead_seconds: null,
        latency_done_to_browser_ms: null,
      }),
    );
    expect(partial['`render_overhead_seconds`']).toBeNull();
    expect(partial['`latency_done_to_browser_ms` p95']).toBeNull();
    expect(partial['`npm run bench -- --quick` wall time']).toBeNull();
  });

  it('puts the targets and the time per section in the report', () => {
    const markdown = renderBenchmarksMarkdown(
      buildBenchResult({
        durationSeconds: 700,
        section_seconds: { render: 300, batch: 250, 'bundle (overlapping)': 40 },
      }),
      null,
    );
    expect(markdown).toMatch(
      /\| `render_overhead_seconds` \| ≤ 0\.5 s \| 0\.4 s; the pipeline's own part 400 ms \| met \|/,
    );
    expect(markdown).toContain('the sections one after the other took 550 s');
    expect(markdown).toContain('| batch | 250.0 s |');
  });
});
