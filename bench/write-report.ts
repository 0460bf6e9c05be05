import {
  OUTPUT_FORMAT_DETAILS,
  OUTPUT_FORMATS,
  type OutputFormat,
} from '../contract/output-formats';
import { DEFAULT_COST_ASSUMPTIONS, REQUESTS_PER_JOB } from './cloud-cost';
import { formatSecondsKey, type BenchResult } from './result-schema';
import { renderBatchEstimateSection } from './batch-estimate';
import { computeMedian } from './stats';
import { formatFigure, type ChartPanel } from './svg-chart';

type Latency = NonNullable<BenchResult['latency_create_to_queued_ms']>;
const LATENCY_KEYS = [
  'latency_create_to_queued_ms',
  'latency_queued_to_rendering_ms',
  'latency_done_to_browser_ms',
] as const;
const COST_KEYS = ['10s', '1min', '10min'] as const;

const show = (value: number | null | undefined, unit = ''): string =>
  value === null || value === undefined ? 'n/a' : `${formatFigure(value)}${unit}`;
const showLatency = (value: Latency | null | undefined): string =>
  value
    ? `p50 ${show(value.p50, ' ms')} · p95 ${show(value.p95, ' ms')} (n=${value.samples})`
    : 'n/a';
const usd = (value: number): string => `$${value.toPrecision(3)}`;
const ratio = (part: number | null | undefined, whole: number | null | undefined): string =>
  part == null || whole == null || whole === 0 ? 'n/a' : `${formatFigure(part / whole)}×`;

const formatSecondsOf = (result: BenchResult, format: OutputFormat): number | null =>
  result[formatSecondsKey(format)];

/** Each format's render time, with its factor against MP4 ("n/a" when the run did not time formats). */
const showFormatTimes = (result: BenchResult): string => {
  const mp4 = formatSecondsOf(result, 'mp4');
  const shown = OUTPUT_FORMATS.flatMap((format) => {
    const seconds = formatSecondsOf(result, format);
    if (seconds === null) return [];
    const factor = format !== 'mp4' && mp4 ? ` (${ratio(seconds, mp4)})` : '';
    return [`${OUTPUT_FORMAT_DETAILS[format].label} ${show(seconds, ' s')}${factor}`];
  });
  return shown.length > 0 ? shown.join(' · ') : 'n/a';
};

const showFormatCosts = (result: BenchResult): string => {
  const costs = Object.entries(result.cloud_cost_usd_1min_by_format ?? {});
  if (costs.length === 0) return 'n/a';
  return costs
    .map(([format, cost]) => {
      const label = OUTPUT_FORMATS.find((known) => known === format);
      return `${label ? OUTPUT_FORMAT_DETAILS[label].label : format} ${usd(cost)}`;
    })
    .join(' · ');
};

/** The chart's panels: each figure beside its reference and the previous run. */
export function buildChartPanels(latest: BenchResult, previous: BenchResult | null): ChartPanel[] {
  const previousBar = (label: string, value: number | null | undefined) =>
    previous ? [{ label, value: value ?? null, kind: 'previous' as const }] : [];
  return [
    {
      title: 'Render title-card, median wall time',
      unit: 'ms',
      bars: [
        {
          label: 'local pipeline (create → SUCCEEDED)',
          value: latest.render_pipeline_median_ms,
          kind: 'current',
        },
        {
          label: 'npx remotion render (reference)',
          value: latest.render_cli_median_ms,
          kind: 'reference',
        },
        ...previousBar('pipeline, previous run', previous?.render_pipeline_median_ms),
      ],
    },
    {
      title: 'Latencies, stub renderer, p50 / p95',
      unit: 'ms',
      bars: LATENCY_KEYS.flatMap((key) => [
        {
          label: `${key.replace(/^latency_|_ms$/g, '')} p50`,
          value: latest[key]?.p50 ?? null,
          kind: 'current' as const,
        },
        {
          label: `${key.replace(/^latency_|_ms$/g, '')} p95`,
          value: latest[key]?.p95 ?? null,
          kind: 'current' as const,
        },
        ...previousBar(`${key.replace(/^latency_|_ms$/g, '')} p95, prev.`, previous?.[key]?.p95),
      ]),
    },
    {
      title: `Pipeline: renders in flight vs the cap (${show(latest.pipeline_jobs)} jobs)`,
      unit: 'renders',
      bars: [
        { label: 'max renders in flight', value: latest.pipeline_max_in_flight, kind: 'current' },
        { label: 'render cap (reference)', value: latest.pipeline_render_cap, kind: 'reference' },
      ],
    },
    {
      title: 'Pipeline throughput',
      unit: 'jobs/s',
      bars: [
        { label: 'jobs per second', value: latest.pipeline_jobs_per_second, kind: 'current' },
        ...previousBar('previous run', previous?.pipeline_jobs_per_second),
      ],
    },
    {
      title: 'Studio initial JavaScript, gzipped',
      unit: 'KB',
      bars: [
        { label: 'entry chunks', value: latest.studio_initial_js_gzip_kb, kind: 'current' },
        ...previousBar('previous run', previous?.studio_initial_js_gzip_kb),
      ],
    },
    {
      title: 'Cloud cost per 1080p render',
      unit: 'USD',
      bars: COST_KEYS.flatMap((key) => {
        const estimate = latest.cloud_cost_details?.estimates.find(
          (entry) => costKeyOf(entry.videoSeconds) === key,
        );
        return [
          {
            label: `${key}: total`,
            value: latest.cloud_cost_usd?.[key] ?? null,
            kind: 'current' as const,
          },
          {
            label: `${key}: Remotion estimatePrice only`,
            value: estimate?.remotionUsd ?? null,
            kind: 'reference' as const,
          },
        ];
      }),
    },
  ];
}

/** The `cloud_cost_usd` key for a video length. */
export function costKeyOf(videoSeconds: number): (typeof COST_KEYS)[number] {
  if (videoSeconds === 10) return '10s';
  if (videoSeconds === 60) return '1min';
  if (videoSeconds === 600) return '10min';
  throw new RangeError(`expected a video of 10, 60 or 600 seconds, but got ${videoSeconds}`);
}

const change = (now: number | null | undefined, before: number | null | undefined): string => {
  if (now === null || now === undefined || before === null || before === undefined) return '—';
  if (before === 0) return now === 0 ? '±0' : `${formatFigure(before)} → ${formatFigure(now)}`;
  const percent = ((now - before) / Math.abs(before)) * 100;
  return `${formatFigure(before)} (${percent >= 0 ? '+' : ''}${percent.toFixed(0)} %)`;
};

/**
 * {@link change} for a figure that depends on the run's size (jobs, rows): against a previous run of another size it
 * shows that run's figure and size, not a percentage (a 300-row batch is not 70 % faster than a 1,000-row one).
 */
const changeAtSize = (
  now: number | null | undefined,
  before: number | null | undefined,
  size: { now: number | null | undefined; before: number | null | undefined; unit: string },
): string => {
  if (before == null || size.before == null || size.now == null || size.now === size.before)
    return change(now, before);
  return `${formatFigure(before)} over ${formatFigure(size.before)} ${size.unit} (not compared)`;
};

/** BENCHMARKS.md: every figure beside its reference, the previous run and the command that produced it. */
export function renderBenchmarksMarkdown(
  latest: BenchResult,
  previous: BenchResult | null,
  /** The stored full-mode runs (bench/results/full-<sections>.json), newest first, shown beside the table. */
  fullRuns: { file: string; result: BenchResult }[] = [],
): string {
  const command = latest.command;
  const cliCommand =
    '`npx remotion render title-card <out>.mp4 --props=<props.json> --codec=h264` (entry and Chromium from remotion.config.ts)';
  const m = latest.machine;
  const pipelineSize = { now: latest.pipeline_jobs, before: previous?.pipeline_jobs, unit: 'jobs' };
  const batchSize = { now: latest.batch_rows, before: previous?.batch_rows, unit: 'rows' };
  const rows: string[][] = [
    [
      '`render_overhead_ratio`',
      show(latest.render_overhead_ratio),
      '1.0 = the CLI; target < 1.0',
      change(latest.render_overhead_ratio, previous?.render_overhead_ratio),
      `\`${command}\` vs ${cliCommand}`,
    ],
    [
      '`render_overhead_seconds`',
      show(latest.render_overhead_seconds, ' s'),
      `warm in-process render ${show(latest.render_warm_median_ms, ' ms')} (n=${latest.render_warm_samples_ms.length}); target ≤ 0.5 s`,
      change(latest.render_overhead_seconds, previous?.render_overhead_seconds),
      `\`${command}\``,
    ],
    [
      '`render_pipeline_added_ms`',
      show(latest.render_pipeline_added_ms, ' ms'),
      `each pipeline run's wall time minus its own render (the renderer's record), median of ${latest.render_pipeline_renderer_samples_ms.length}; that render took ${show(computeMedian(latest.render_pipeline_renderer_samples_ms), ' ms')} (median) in the pipeline, ${show(latest.render_warm_median_ms, ' ms')} in-process`,
      change(latest.render_pipeline_added_ms, previous?.render_pipeline_added_ms),
      `\`${command}\``,
    ],
    [
      'render median, pipeline / CLI',
      `${show(latest.render_pipeline_median_ms, ' ms')} (n=${latest.render_pipeline_samples_ms.length})`,
      `CLI ${show(latest.render_cli_median_ms, ' ms')} (n=${latest.render_cli_samples_ms.length})`,
      change(latest.render_pipeline_median_ms, previous?.render_pipeline_median_ms),
      `\`${command}\``,
    ],
    [
      'render time per output format',
      showFormatTimes(latest),
      `the reference render through the pipeline, one job per format; factor against MP4 in brackets; cloud, 1 min of video: ${showFormatCosts(latest)}`,
      previous ? showFormatTimes(previous) : '—',
      `\`${command}\``,
    ],
    ...LATENCY_KEYS.map((key) => [
      `\`${key}\``,
      showLatency(latest[key]),
      '—',
      previous?.[key]?.p95 != null ? `${change(latest[key]?.p95, previous[key]?.p95)} (p95)` : '—',
      `\`${command}\``,
    ]),
    ...(
      ['latency_done_to_browser_webhook_ms', 'latency_done_to_browser_poll_only_ms'] as const
    ).map((key) => [
      `\`${key}\``,
      showLatency(latest[key]),
      key.endsWith('webhook_ms')
        ? `Remotion's webhook wakes the job, poll every 4 s; p50 ${ratio(latest.latency_done_to_browser_webhook_ms?.p50, latest.latency_done_to_browser_poll_only_ms?.p50)} of poll-only's`
        : 'reference: polling only, every 1 s (no webhook), same run',
      previous?.[key]?.p95 != null ? `${change(latest[key]?.p95, previous[key]?.p95)} (p95)` : '—',
      `\`${command}\``,
    ]),
    [
      '`pipeline_jobs_per_second`',
      show(latest.pipeline_jobs_per_second),
      `over ${show(latest.pipeline_jobs)} jobs created`,
      changeAtSize(
        latest.pipeline_jobs_per_second,
        previous?.pipeline_jobs_per_second,
        pipelineSize,
      ),
      `\`${command}\``,
    ],
    [
      '`batch_enqueue_rows_per_second`',
      show(latest.batch_enqueue_rows_per_second),
      `${show(latest.batch_rows)} rows all QUEUED (waiting in the table); target: 10,000 within 60 s (≥ 167/s)`,
      changeAtSize(
        latest.batch_enqueue_rows_per_second,
        previous?.batch_enqueue_rows_per_second,
        batchSize,
      ),
      `\`${command}\``,
    ],
    [
      '`batch_10k_seconds`',
      show(latest.batch_10k_seconds, ' s'),
      `submit → FINISHED, ${show(latest.batch_rows)} rows; lost ${show(latest.batch_lost)}, duplicate renders ${show(latest.batch_duplicate_renders)}, in flight ≤ ${show(latest.batch_max_in_flight)} (cap ${show(latest.batch_render_cap)}), one user ≤ ${show(latest.batch_max_in_flight_one_user)} (limit ${show(latest.batch_per_user_limit)}), ${show(latest.batch_worker_deliveries)} worker deliveries`,
      changeAtSize(latest.batch_10k_seconds, previous?.batch_10k_seconds, batchSize),
      `\`${command}\``,
    ],
    [
      '`batch_fair_start_ms`',
      show(latest.batch_fair_start_ms, ' ms'),
      [
        `another user's job submitted mid-batch: created → rendering; reference: that user's job on the same stack before the batch, ${show(latest.batch_fair_start_reference_ms, ' ms')}`,
        ...fairStartInFlight(latest),
        "target: within one render's time of a free slot",
      ].join('; '),
      changeAtSize(latest.batch_fair_start_ms, previous?.batch_fair_start_ms, batchSize),
      `\`${command}\``,
    ],
    [
      '`pipeline_lost`',
      show(latest.pipeline_lost),
      'must be 0',
      changeAtSize(latest.pipeline_lost, previous?.pipeline_lost, pipelineSize),
      `\`${command}\``,
    ],
    [
      '`pipeline_duplicate_renders`',
      show(latest.pipeline_duplicate_renders),
      'must be 0',
      changeAtSize(
        latest.pipeline_duplicate_renders,
        previous?.pipeline_duplicate_renders,
        pipelineSize,
      ),
      `\`${command}\``,
    ],
    [
      '`pipeline_max_in_flight`',
      show(latest.pipeline_max_in_flight),
      `cap \`pipeline_render_cap\` = ${show(latest.pipeline_render_cap)}`,
      changeAtSize(latest.pipeline_max_in_flight, previous?.pipeline_max_in_flight, pipelineSize),
      `\`${command}\``,
    ],
    [
      '`studio_initial_js_gzip_kb`',
      show(latest.studio_initial_js_gzip_kb, ' KB'),
      `${latest.studio_initial_js_files.length} initial file(s): entry + modulepreload`,
      change(latest.studio_initial_js_gzip_kb, previous?.studio_initial_js_gzip_kb),
      '`vite build` (into a temporary folder)',
    ],
    [
      '`worker_peak_rss_mb`',
      show(latest.worker_peak_rss_mb, ' MB'),
      `configured memory ${show(latest.worker_memory_mb, ' MB')}`,
      change(latest.worker_peak_rss_mb, previous?.worker_peak_rss_mb),
      '`npm run bench -- --only=memory` (the bundled worker handler in its own Node process)',
    ],
    [
      '`npm_start_idle_mb`',
      show(latest.npm_start_idle_mb, ' MB'),
      'summed RSS of `npm start` and every process it started',
      change(latest.npm_start_idle_mb, previous?.npm_start_idle_mb),
      '`npm run bench -- --only=memory`',
    ],
    [
      '`npm_start_rendering_mb`',
      show(latest.npm_start_rendering_mb, ' MB'),
      latest.npm_start_largest_process
        ? `largest at the peak: \`${latest.npm_start_largest_process.command}\` ${show(latest.npm_start_largest_process.mb, ' MB')}`
        : '—',
      change(latest.npm_start_rendering_mb, previous?.npm_start_rendering_mb),
      '`npm run bench -- --only=memory` (during `npm run render -- slideshow --wait`, one 1 s slide)',
    ],
    ...COST_KEYS.map((key) => {
      const estimate = latest.cloud_cost_details?.estimates.find(
        (entry) => costKeyOf(entry.videoSeconds) === key,
      );
      return [
        `\`cloud_cost_usd.${key}\``,
        latest.cloud_cost_usd ? usd(latest.cloud_cost_usd[key]) : 'n/a',
        estimate
          ? `Remotion \`estimatePrice\` alone ${usd(estimate.remotionUsd)}; overhead ${(estimate.overheadShare * 100).toFixed(1)} %`
          : '—',
        change(latest.cloud_cost_usd?.[key], previous?.cloud_cost_usd?.[key]),
        `\`${command}\` (arithmetic below)`,
      ];
    }),
  ];

  const unavailable = Object.entries(latest.unavailable);
  return [
    '# Benchmarks',
    '',
    `<!-- Written by \`npm run bench\` (bench/write-report.ts); edits here are overwritten. -->`,
    '',
    `Last run: \`${command}\` on ${latest.timestamp} (${latest.mode} mode, ${latest.durationSeconds.toFixed(0)} s).`,
    `Machine: ${m.cpuCount} × ${m.cpuModel}, ${m.memoryGb} GB, Node ${m.node}, ${m.platform}/${m.arch}, load average at start ${m.loadAverageAtStart.map((value) => value.toFixed(2)).join(' / ')}.`,
    previous
      ? `Previous run: ${previous.timestamp} (${previous.mode} mode).`
      : 'Previous run: none recorded.',
    '',
    'Speed figures on this machine vary from run to run (other work shares its 2 cores), so each is a',
    'ratio against a reference run in the same invocation, or a count. Benchmarks never fail on a number.',
    '',
    '![benchmark chart](bench/results/chart.svg)',
    '',
    '| figure | this run | reference | previous run (change) | command |',
    '|---|---|---|---|---|',
    ...rows.map((row) => `| ${row.map((cell) => cell.replace(/\|/g, '\\|')).join(' | ')} |`),
    '',
    ...(unavailable.length > 0
      ? [
          '## Not measured in this run, or qualified',
          '',
          ...unavailable.map(([key, reason]) => `- \`${key}\`: ${reason}`),
          '',
        ]
      : []),
    ...renderTargetsSection(latest),
    ...renderSectionTimes(latest),
    '## What each figure is',
    '',
    ...DEFINITIONS,
    '',
    ...renderCostSection(latest),
    '',
    ...PIPELINE_PROFILE,
    '',
    ...renderFullRunsSection(
      fullRuns.filter(({ result }) => result.timestamp !== latest.timestamp),
    ),
    // A stored run made with an older cost model lacks today's fields: today's defaults fill them.
    ...renderBatchEstimateSection(
      latest.cloud_cost_details
        ? { ...DEFAULT_COST_ASSUMPTIONS, ...definedOnly(latest.cloud_cost_details.assumptions) }
        : undefined,
    ),
    '',
  ].join('\n');
}

/** Renders in flight when the mid-batch job was created, against the cap (nothing for runs that did not record it). */
const fairStartInFlight = (result: BenchResult): string[] =>
  result.batch_fair_start_in_flight === null || result.batch_render_cap === null
    ? []
    : [
        `${result.batch_fair_start_in_flight} of the cap's ${result.batch_render_cap} renders in flight when it was created`,
      ];

/** The quick bench's wall-time target (issue 15): 7 minutes with every figure present. */
const QUICK_BENCH_TARGET_SECONDS = 420;

/** One performance target of issue 15: what it asks, what this run measured, and whether that meets it. */
interface TargetCheck {
  figure: string;
  target: string;
  measured: string;
  met: boolean | null;
}

/** Issue 15's targets against this run; `met` is null when this run did not measure the figure. */
export function checkTargets(latest: BenchResult): TargetCheck[] {
  const share = (videoSeconds: number) =>
    latest.cloud_cost_details?.estimates.find((entry) => entry.videoSeconds === videoSeconds)
      ?.overheadShare ?? null;
  const atMost = (value: number | null | undefined, limit: number) =>
    value === null || value === undefined ? null : value <= limit;
  const percent = (value: number | null) =>
    value === null ? 'n/a' : `${(value * 100).toFixed(1)} %`;
  const doneToBrowser = latest.latency_done_to_browser_ms?.p95 ?? null;
  const share10s = share(10);
  const share1min = share(60);
  const jobsPerSecond = latest.pipeline_jobs_per_second;
  const pipelineClean =
    latest.pipeline_lost === 0 &&
    latest.pipeline_duplicate_renders === 0 &&
    latest.pipeline_max_in_flight !== null &&
    latest.pipeline_render_cap !== null &&
    latest.pipeline_max_in_flight <= latest.pipeline_render_cap;
  const missing = missingFigures(latest);
  return [
    {
      figure: '`latency_done_to_browser_ms` p95',
      target: '≤ 300 ms',
      measured: show(doneToBrowser, ' ms'),
      met: atMost(doneToBrowser, 300),
    },
    {
      figure: '`render_overhead_seconds`',
      target: '≤ 0.5 s',
      measured: `${show(latest.render_overhead_seconds, ' s')}; the pipeline's own part ${show(latest.render_pipeline_added_ms, ' ms')}`,
      met: atMost(latest.render_overhead_seconds, 0.5),
    },
    {
      figure: 'cloud overhead share, 10 s video',
      target: '≤ 2 %',
      measured: percent(share10s),
      met: atMost(share10s, 0.02),
    },
    {
      figure: 'cloud overhead share, 1 min video',
      target: '≤ 1 %',
      measured: percent(share1min),
      met: atMost(share1min, 0.01),
    },
    {
      figure: '`pipeline_jobs_per_second`',
      target: '≥ 50, 0 lost, 0 duplicate, cap held',
      measured:
        jobsPerSecond === null
          ? 'n/a'
          : `${show(jobsPerSecond)}; lost ${show(latest.pipeline_lost)}, duplicates ${show(latest.pipeline_duplicate_renders)}, in flight ${show(latest.pipeline_max_in_flight)} of ${show(latest.pipeline_render_cap)}`,
      met: jobsPerSecond === null ? null : jobsPerSecond >= 50 && pipelineClean,
    },
    {
      figure: '`npm run bench -- --quick` wall time',
      target: `≤ ${QUICK_BENCH_TARGET_SECONDS / 60} min, every figure present`,
      measured:
        latest.mode === 'quick'
          ? `${latest.durationSeconds.toFixed(0)} s; ${missing.length === 0 ? 'every figure present' : `missing: ${missing.join(', ')}`}`
          : 'n/a (not a quick run)',
      met:
        latest.mode === 'quick'
          ? latest.durationSeconds <= QUICK_BENCH_TARGET_SECONDS && missing.length === 0
          : null,
    },
  ];
}

/** Details added to the result after runs already on record, which those runs lack (read as null). */
const LATER_DETAILS = new Set(['batch_fair_start_in_flight']);

/** The result's figures that this run left empty (null), by key. */
function missingFigures(latest: BenchResult): string[] {
  return Object.entries(latest)
    .filter(([key, value]) => value === null && !LATER_DETAILS.has(key))
    .map(([key]) => key);
}

function renderTargetsSection(latest: BenchResult): string[] {
  const verdict = (met: boolean | null) =>
    met === null ? 'not measured' : met ? 'met' : 'not met';
  return [
    '## Targets (issue 15)',
    '',
    '| figure | target | this run | verdict |',
    '|---|---|---|---|',
    ...checkTargets(latest).map(
      (check) =>
        `| ${check.figure} | ${check.target} | ${check.measured.replace(/\|/g, '\\|')} | ${verdict(check.met)} |`,
    ),
    '',
  ];
}

/** Where the run's own wall time went, section by section (runs before 2026-12-07 did not record it). */
function renderSectionTimes(latest: BenchResult): string[] {
  const sections = Object.entries(latest.section_seconds ?? {});
  if (sections.length === 0) return [];
  const sequential = sections
    .filter(([name]) => !name.includes('overlapping'))
    .reduce((sum, [, seconds]) => sum + seconds, 0);
  return [
    "## Where this run's time went",
    '',
    `${latest.durationSeconds.toFixed(0)} s in all; the sections one after the other took ${sequential.toFixed(0)} s.`,
    '',
    '| section | wall time |',
    '|---|---|',
    ...sections.map(([name, seconds]) => `| ${name} | ${seconds.toFixed(1)} s |`),
    '',
  ];
}

const definedOnly = <T extends object>(value: T): Partial<T> =>
  Object.fromEntries(
    Object.entries(value).filter(([, field]) => field !== undefined),
  ) as Partial<T>;

/** The full-mode runs on record (a run that is itself the table is left out), each with what it measured. */
function renderFullRunsSection(runs: { file: string; result: BenchResult }[]): string[] {
  if (runs.length === 0) return [];
  return [
    '## Full-mode runs',
    '',
    'The scale runs (10,000 jobs, 10,000 rows), kept by the sections they ran; newest first.',
    '',
    ...runs.flatMap(({ file, result }) => renderFullRun(file, result)),
  ];
}

/** The scale figures one full-mode run measured (10,000 jobs, 10,000 rows), with what it qualified. */
function renderFullRun(file: string, full: BenchResult): string[] {
  const figures: [string, string][] = [
    ['`pipeline_jobs`', show(full.pipeline_jobs)],
    ['`pipeline_jobs_per_second`', show(full.pipeline_jobs_per_second)],
    [
      '`pipeline_lost`',
      // A drain that outlasted its budget counts its unfinished jobs here: not lost, not yet done.
      full.pipeline_lost && full.unavailable.pipeline_lost
        ? `${show(full.pipeline_lost)} not SUCCEEDED when the drain budget ended (see below)`
        : show(full.pipeline_lost),
    ],
    ['`pipeline_duplicate_renders`', show(full.pipeline_duplicate_renders)],
    [
      '`pipeline_max_in_flight`',
      full.pipeline_max_in_flight === null
        ? 'n/a'
        : `${show(full.pipeline_max_in_flight)} (cap ${show(full.pipeline_render_cap)})`,
    ],
    ['`batch_rows`', show(full.batch_rows)],
    ['`batch_enqueue_rows_per_second`', show(full.batch_enqueue_rows_per_second)],
    ['`batch_10k_seconds`', show(full.batch_10k_seconds, ' s')],
    [
      '`batch_fair_start_ms`',
      full.batch_fair_start_ms === null
        ? 'n/a'
        : `${show(full.batch_fair_start_ms, ' ms')} (${[`reference before the batch: ${show(full.batch_fair_start_reference_ms, ' ms')}`, ...fairStartInFlight(full)].join('; ')})`,
    ],
    [
      '`batch_lost`',
      // A batch that had not ended by the deadline counts its unfinished rows here: not lost, not yet done.
      full.batch_rows !== null && full.batch_10k_seconds === null && full.batch_lost !== null
        ? `${show(full.batch_lost)} not SUCCEEDED when the run's deadline came (the batch had not ended; see below)`
        : show(full.batch_lost),
    ],
    ['`batch_duplicate_renders`', show(full.batch_duplicate_renders)],
    [
      '`batch_max_in_flight`',
      full.batch_max_in_flight === null
        ? 'n/a'
        : `${show(full.batch_max_in_flight)} (cap ${show(full.batch_render_cap)}); one user ${show(full.batch_max_in_flight_one_user)} (limit ${show(full.batch_per_user_limit)})`,
    ],
    ['`batch_worker_deliveries`', show(full.batch_worker_deliveries)],
  ];
  const measured = figures.filter(([, value]) => value !== 'n/a');
  return [
    `### \`${full.command}\``,
    '',
    `On ${full.timestamp} (${full.durationSeconds.toFixed(0)} s), load average at start ${full.machine.loadAverageAtStart.map((value) => value.toFixed(2)).join(' / ')}; bench/results/${file}.`,
    '',
    ...(measured.length > 0
      ? [
          '| figure | full run |',
          '|---|---|',
          ...measured.map(([key, value]) => `| ${key} | ${value} |`),
        ]
      : ['No scale figure was measured in it.']),
    '',
    // What the run itself qualified (a drain that outlasted its budget, a failed section), not what it skipped.
    ...Object.entries(full.unavailable)
      .filter(([, reason]) => !reason.startsWith('not selected in this run'))
      .map(([key, reason]) => `- \`${key}\`: ${reason}`),
    '',
    ...(full.pipeline_final_statuses
      ? [
          `Final statuses of the pipeline's jobs: ${JSON.stringify(full.pipeline_final_statuses)}.`,
          '',
        ]
      : []),
  ];
}

/** Measured by hand (not each bench run): where a stub job's time goes in the local pipeline (issue 15). */
const PIPELINE_PROFILE = [
  "## Where a stub job's time goes in the local pipeline",
  '',
  'Measured 2026-12-06 with `node --import tsx bench/profile-pipeline.ts 200` (stub renders 0–50 ms, cap 16) and',
  '`node --cpu-prof --import tsx bench/profile-pipeline.ts 100`; not part of `npm run bench`.',
  '',
  "- **One CPU is the limit.** The stack (AppSync simulator, fauxqs, stream readers, worker, the bench's clients)",
  "  runs in one Node process beside DynamoDB Local's JVM. Over the last 50 s of a 100-job run that process was",
  '  busy 49 s: AWS SDK request and response handling (smithy) 9.6 s, the AppSync simulator 8.2 s plus Velocity',
  "  templates 3.0 s and graphql 3.0 s, garbage collection 6.5 s, undici 3.3 s, express 1.4 s, the worker's own",
  '  code 0.4 s. Nothing waits on a timer: the stream reader reads page after page while records come, and',
  '  render.start and progress take under 1 ms.',
  '- **AppSync operations per stub job, from the worker** (200 jobs): UpdateJob 3.00 (claim, render id, end),',
  '  GetJob 1.60, ListRenderingJobs 1.13, CreateRenderSlot 1.00, DeleteRenderSlot 1.00, ListRenderSlots 1.00,',
  '  ListQueuedJobsOf 1.00 (the hand-off of a freed slot): 9.7 in all. A 100-job run of the code before the cap',
  '  look before a claim could be skipped and the slot release stopped listing made 12.0 (ListRenderingJobs 2.00,',
  '  ListRenderSlots 2.01, GetJob 2.00). Each took 170–350 ms on average under this load, mostly spent waiting',
  '  for the busy process (the CPU profile above).',
  '- **Effect**: the same 200-job run, old code against new, alternating, two rounds: 3.76 and 4.74 jobs/s',
  '  before, 3.80 and 5.24 after: about 6 % more, within the spread between rounds. A larger young generation',
  '  (`--max-semi-space-size=32`) gave 4.43 and 5.22 jobs/s and was not adopted. 50 jobs/s would need every',
  "  job's whole round trip (about 10 AppSync requests with their DynamoDB calls and subscription fan-out, the",
  '  stream, two queue sends and a receive) in 20 ms of CPU; this process spends about 200 ms.',
  '- **Again on 2026-12-07** (e2089eb, after the DynamoDB Local stream indexes; `node --cpu-prof --import tsx',
  '  bench/profile-pipeline.ts 200`: 200 jobs at 4.21 jobs/s, 0 lost): over the last 40 s the process was idle',
  '  1.5 s. Self time by where it ran (native frames to their caller): the AppSync simulator with its Velocity',
  '  templates, graphql and express 12.8 s (32 %), the Node runtime (HTTP, sockets, streams, microtasks) 10.2 s',
  '  (26 %), the AWS SDK clients (serialising, SigV4, endpoint rules) 6.9 s (17 %), garbage collection 5.5 s',
  "  (14 %), undici 1.3 s, the stack's own code, the worker and fauxqs together 0.9 s. About 240 ms of CPU per",
  '  job, nearly all in the stand-ins and their HTTP between one another, not in code of this project.',
  "- **On 2026-12-08, after the worker's reads moved to the tables** (61db57c; `node --import tsx",
  '  bench/profile-pipeline.ts 200`, twice, once under `--cpu-prof`): 200 jobs at 8.43 and 9.04 jobs/s, 0 lost; the',
  "  worker's AppSync operations per job fell from 9.7 to 3.02 (UpdateJob: claim, render id, end; 264–289 ms each",
  '  under this load), its reads and slots now DynamoDB calls. The jobs were created at 14.4 and 15.5 jobs/s',
  "  (8 at a time), which bounds the figure as much as the drain. Over the profiled run's last 22 s the process was",
  '  idle 1.7 s; self time: the Node runtime 5.9 s (27 %), the AppSync simulator 5.2 s (24 %), the AWS SDK and',
  "  Amplify clients 4.8 s (22 %), garbage collection 2.1 s (10 %), undici 0.6 s, this project's code 0.6 s: about",
  '  100 ms of CPU per job, where 50 jobs/s needs 20 ms.',
];

const DEFINITIONS = [
  '- **`render_overhead_ratio`** = median of the pipeline runs ÷ median of the CLI runs. A pipeline run is the',
  '  wall time from calling `Job.create` (Amplify data client, signed-in user, composition `title-card`, default',
  '  props) until the subscription on that job delivers `status: SUCCEEDED`, through the whole local stack',
  '  (AppSync simulator → DynamoDB Local stream → stream reader → fauxqs → queue poller → render worker →',
  '  `renderMedia` in a warm Chromium). The first pipeline render (which builds the Remotion bundle and opens',
  '  the browser) is a warm-up and not counted. A CLI run is the wall time of `npx remotion render` with the',
  '  same props and codec (h264), which bundles and launches a browser every time.',
  '- **Memory**: `worker_peak_rss_mb` is the peak resident set (what Lambda reports as "Max Memory Used") of a',
  '  fresh Node process that loads the render worker bundled as Amplify bundles it (esbuild, ESM, minified, AWS SDK',
  '  included) and handles 50 SQS deliveries, every AWS endpoint answered by a stand-in in the bench process; the',
  "  render's own working set in the worker (one job record and one progress object) is kilobytes more. The peak",
  "  is the process's own `VmHWM` (Linux): its `maxRSS` starts at the bench process's size, which Linux carries",
  '  into a spawned child (runs before 2026-12-07 15:00 read `maxRSS`: 192.6 and 148.9 MB then, 328 MB once when',
  '  the bench process had grown).',
  "  `npm_start_idle_mb` / `npm_start_rendering_mb`: the summed RSS of `npm start`'s process tree (Node, DynamoDB",
  "  Local's Java, cognito-local, Chromium) sampled every 250 ms, once ready and while one",
  "  `npm run render -- slideshow --wait` runs through it: the stack's first render (one 1 s slide), which opens the",
  '  browser and the compositor as any render does (runs before 2026-12-08 rendered the 5 s title card there).',
  '- **`render_overhead_seconds`** = median pipeline run − median warm in-process render, in seconds. A warm',
  '  in-process render is the very render function the local pipeline calls (`createRemotionRenderFunction`:',
  '  `selectComposition` + `renderMedia`, same bundle, same props, its own already-open Chromium), called directly',
  '  in the bench process, interleaved with the pipeline runs; its first call is a warm-up and not counted. What',
  "  is left is what the pipeline adds: AppSync, the stream, the queue, the worker's checks and writes, progress",
  '  polling and the subscription, plus the difference between the renders themselves, which on 2 cores varies',
  '  by a second or more from one render to the next.',
  "- **`render_pipeline_added_ms`** = median over the pipeline runs of (the run's wall time − the render function's",
  "  own time in that job, `renderMs` in the local renderer's record of it). The same job on both sides, so the",
  '  render-to-render noise cancels: this is what the pipeline itself adds around one render.',
  '- **Latencies** (stub renderer, one job at a time, created with the Amplify data client by one signed-in',
  '  user, as the studio does; all times are `Date.now()` on one machine, and the stack runs in the bench process):',
  '  - `latency_create_to_queued_ms`: from just before `Job.create` is called until the render queue holds the',
  "    job's `{ jobId }` message: the message's `sentTimestamp` in fauxqs, read through fauxqs's non-destructive",
  '    inspection endpoint (`/_fauxqs/queues/render-queue`). Covers AppSync → DynamoDB → stream → stream reader',
  '    (which polls every 250 ms) → `SendMessage`.',
  '  - `latency_queued_to_rendering_ms`: from that `sentTimestamp` until the `onUpdate` subscription delivers',
  '    `status: RENDERING` (queue poller receive → worker loads, checks limits, claims the job → AppSync → WebSocket).',
  '  - `latency_done_to_browser_ms`: from the moment the local renderer recorded the render done (the mtime of its',
  '    own record file `<dataDir>/renders/<renderId>.json`, written once with `state: done`) until the',
  "    subscription delivers `status: SUCCEEDED`, with the stack's defaults (Remotion's webhook on, a 1 s poll).",
  '  - `latency_done_to_browser_webhook_ms` / `latency_done_to_browser_poll_only_ms` (`--only=webhook-latency`): the',
  '    same interval in two stub stacks started one after the other in the same run, with 1–1.5 s stub renders',
  "    (a shorter one is over before the worker's first look, which then ends the job on either path): Remotion's",
  '    webhook waking the job with the worker polling every 4 s (as the cloud runs with the webhook), and no webhook',
  '    with a 1 s poll (the cloud without it); the webhook row gives its p50 as a fraction of the poll-only p50.',
  '    Three jobs are in flight at once on each path (the default per-user limit, and the render cap given to those',
  "    stacks, so every slot of the cap is a job being tracked); each interval is still its own job's. Runs before",
  '    2026-12-07 21:00 ran one job at a time.',
  '- **Pipeline** (stub renderer taking a uniformly random 0–50 ms; the render cap given to the stack; the',
  '  per-user limit raised to 100 through `MAX_ACTIVE_JOBS_PER_USER`, each user creating at most 100 (3 users for',
  "  the quick run's 250 jobs, 100 for the full run's 10,000), so none is refused): every job is created with the",
  '  `createJob` mutation over HTTP',
  "  with the user's token (8 at a time), then the bench waits until all are SUCCEEDED or the deadline passes.",
  '  `pipeline_jobs_per_second` = SUCCEEDED jobs ÷ seconds from the first create to the last `finishedAt` (Job',
  '  table). `pipeline_lost` = created jobs not SUCCEEDED at the end. `pipeline_duplicate_renders` = renders',
  "  started beyond one per job, counted from the local renderer's own records (one file per started render,",
  "  naming its job). `pipeline_max_in_flight` = the most jobs RENDERING at once, from each job's",
  '  `[startedAt, finishedAt)` in the Job table (the stack exposes no concurrency counter of the stub itself),',
  '  against `pipeline_render_cap`, the cap the stack was started with.',
  '- **`studio_initial_js_gzip_kb`**: the module script(s) and `modulepreload` chunks that `dist/index.html`',
  "  references (lazy chunks excluded), each gzipped with zlib's default level, summed, in KiB.",
];

function renderCostSection(latest: BenchResult): string[] {
  const details = latest.cloud_cost_details;
  if (!details) return ['## Cloud cost', '', 'Not computed in this run (see above).'];
  const a = details.assumptions;
  return [
    '## Cloud cost per render (1920×1080, 30 fps, h264, us-east-1)',
    '',
    "Remotion's part is Remotion's own `estimatePrice({ region, memorySizeInMb, diskSizeInMb, lambdasInvoked,",
    'durationInMilliseconds })` (from `@remotion/lambda/client`; arm64 duration, ephemeral storage above 512 MB and',
    "requests; it excludes S3). This project's overhead is priced from public list prices written as named",
    'constants in `bench/cloud-cost.ts` (with their source pages and the date read).',
    '',
    '**Assumptions**',
    '',
    `- Render time per 1080p frame in a render Lambda: ${a.secondsPerFrame.toFixed(3)} s — ${a.secondsPerFrameSource}.`,
    `- Frames per Lambda: Remotion's default (\`validateFramesPerFunction\` with no \`framesPerLambda\`: 75–150 Lambdas, at least 20 frames each).`,
    `- Each renderer Lambda: ${a.rendererStartupSeconds} s start-up (cold start, Chromium, site) + frames × time per frame (assumption).`,
    `- Main Lambda = render wall time = ${a.mainSetupSeconds} s set-up + one chunk + ${a.combineSecondsPerVideoMinute} s per video minute to combine (assumption).`,
    `- Remotion function: ${a.remotionMemoryMb} MB, ${a.remotionDiskMb} MB disk (Remotion's defaults, amplify/render-pipeline/config.ts).`,
    `- Worker Lambda: ${a.workerMemoryMb} MB arm64 (render-worker/resource.ts, sized from \`worker_peak_rss_mb\`), waits the whole render + ${a.workerOwnSeconds} s of its own work; Remotion's webhook wakes it once more for ${a.wakeUpWorkerSeconds ?? 'n/a'} s to end the job.`,
    `- The worker polls \`getRenderProgress\` every ${a.pollIntervalSeconds ?? 'n/a'} s while the webhook reports the end; with \`skipLambdaInvocation\` each poll is one S3 GET of Remotion's progress.json (no invocation of the Remotion function), and pushes progress with one conditional AppSync mutation that is also the cancel check.`,
    `- The poster: the worker renders the composition's poster frame with \`renderStillOnLambda\` as the render starts and waits for it: one invocation of the Remotion function, priced like a renderer (${a.rendererStartupSeconds} s start-up + one frame).`,
    `- Each Job write reaches ${a.subscribers} subscribed tab; a single job's item sits in ${a.jobIndexes ?? 'n/a'} indexes (owner, status), each written with it.`,
    `- Per job besides polling (\`REQUESTS_PER_JOB\` in bench/cloud-cost.ts, read from the code): ${REQUESTS_PER_JOB.appSyncOperations} AppSync operations (the create and the worker's Job writes), ${REQUESTS_PER_JOB.jobWrites} Job writes, the worker's reads on the tables (${REQUESTS_PER_JOB.consistentTableReads} consistent job and slot reads, ${REQUESTS_PER_JOB.statusIndexReads} status-index queries), ${REQUESTS_PER_JOB.slotWrites} slot writes, ${REQUESTS_PER_JOB.ledgerWrites} direct spend-ledger writes (atomic conditional ADDs) and ${REQUESTS_PER_JOB.ledgerStrongReads} consistent reads, ${REQUESTS_PER_JOB.sqsRequests} SQS requests, ${REQUESTS_PER_JOB.lambdaRequests} Lambda requests. The active-job and render-cap checks are key and index queries, not table scans, so nothing grows with the jobs stored.`,
    "- Fixed costs that do not grow per render are left out: the event source mapping's idle long polls, the Pipe's",
    '  stream polling, CloudWatch logs and alarms, S3 storage and transfer of the video.',
    '',
    '| video | frames | frames/Lambda | Lambdas | render wall time | Remotion Lambda-seconds | Remotion (`estimatePrice`) | overhead | total | overhead share |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...details.estimates.map(
      (e) =>
        `| ${costKeyOf(e.videoSeconds)} | ${e.frames} | ${e.framesPerLambda} | ${e.renderLambdas} + 1 main | ${e.renderWallSeconds.toFixed(1)} s | ${e.remotionLambdaSeconds.toFixed(0)} s | ${usd(e.remotionUsd)} | ${usd(e.overheadUsd)} | ${usd(e.totalUsd)} | ${(e.overheadShare * 100).toFixed(1)} % |`,
    ),
    '',
    'Remotion Lambda-seconds = Lambdas × (start-up + frames/Lambda × time per frame) + render wall time (main).',
    '',
    ...details.estimates.flatMap((e) => [
      `**Overhead for ${costKeyOf(e.videoSeconds)}** (${usd(e.overheadUsd)}):`,
      '',
      '| item | quantity | unit | USD |',
      '|---|---|---|---|',
      ...e.overhead.map(
        (line) =>
          `| ${line.item} | ${formatFigure(Number(line.quantity.toFixed(3)))} | ${line.unit} | ${line.usd.toExponential(2)} |`,
      ),
      '',
    ]),
  ];
}
