// The worker's metrics as Powertools writes them: embedded metric format lines on stdout, which CloudWatch Logs
// turns into the metrics the dashboard and alarms read (amplify/render-pipeline/worker-metrics.ts), with exactly
// the names, dimensions and values those expect. No line, no metric: nothing else sends them.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createPowertoolsJobMetrics,
  createRenderMetrics,
} from '../../../amplify/functions/render-worker/powertools-job-metrics';
import { RENDER_METRICS } from '../../../amplify/functions/render-worker/render-metrics';

/** One EMF document, as CloudWatch reads it. */
interface EmfLine {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
  [key: string]: unknown;
}

const FUNCTION_NAME = 'amplify-renderstudio-dev-renderworkerlambda-AbC123';

/** What was written to stdout while `action` ran, as JSON lines. */
const stdoutLinesOf = (action: () => void): EmfLine[] => {
  const written: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    action();
  } finally {
    spy.mockRestore();
  }
  return written
    .join('')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as EmfLine);
};

/** Each line's metrics as `{ name: { unit, value, dimensions } }`. */
const metricsOf = (line: EmfLine) => {
  const [directive] = line._aws.CloudWatchMetrics;
  return Object.fromEntries(
    directive!.Metrics.map(({ Name, Unit }) => [
      Name,
      {
        namespace: directive!.Namespace,
        unit: Unit,
        value: line[Name],
        dimensions: Object.fromEntries(
          directive!.Dimensions.flat().map((dimension) => [dimension, line[dimension]]),
        ),
      },
    ]),
  );
};

const DIMENSIONS = { service: 'render-worker', FunctionName: FUNCTION_NAME };

describe('the worker metrics in embedded metric format', () => {
  beforeEach(() => {
    // Powertools turns itself off (and writes to console) in dev mode.
    vi.stubEnv('POWERTOOLS_DEV', 'false');
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('writes a started render as RendersStarted 1 and RendersInFlight, in one line', () => {
    const metrics = createPowertoolsJobMetrics(createRenderMetrics(FUNCTION_NAME));

    const lines = stdoutLinesOf(() =>
      metrics.renderStarted({ jobId: 'job-1', renderId: 'render-1', rendersInFlight: 3 }),
    );

    expect(lines).toHaveLength(1);
    expect(metricsOf(lines[0]!)).toEqual({
      RendersStarted: {
        namespace: 'RenderStudio',
        unit: 'Count',
        value: 1,
        dimensions: DIMENSIONS,
      },
      RendersInFlight: {
        namespace: 'RenderStudio',
        unit: 'Count',
        value: 3,
        dimensions: DIMENSIONS,
      },
    });
  });

  it('writes a wait at the cap as RendersInFlight', () => {
    const metrics = createPowertoolsJobMetrics(createRenderMetrics(FUNCTION_NAME));

    const lines = stdoutLinesOf(() =>
      metrics.renderCapReached({ jobId: 'job-1', rendersInFlight: 4 }),
    );

    expect(lines.map(metricsOf)).toEqual([
      {
        RendersInFlight: {
          namespace: 'RenderStudio',
          unit: 'Count',
          value: 4,
          dimensions: DIMENSIONS,
        },
      },
    ]);
  });

  it('writes a SUCCEEDED job as JobsFinished by Outcome, and its render time and cost without Outcome', () => {
    const metrics = createPowertoolsJobMetrics(createRenderMetrics(FUNCTION_NAME));

    const lines = stdoutLinesOf(() =>
      metrics.jobFinished({
        jobId: 'job-1',
        outcome: 'SUCCEEDED',
        renderSeconds: 42.5,
        costUsd: 0.0123,
      }),
    );

    expect(lines.map(metricsOf)).toEqual([
      {
        JobsFinished: {
          namespace: 'RenderStudio',
          unit: 'Count',
          value: 1,
          dimensions: { ...DIMENSIONS, Outcome: 'SUCCEEDED' },
        },
      },
      {
        RenderDurationSeconds: {
          namespace: 'RenderStudio',
          unit: 'Seconds',
          value: 42.5,
          dimensions: DIMENSIONS,
        },
        RenderCostUsd: {
          namespace: 'RenderStudio',
          unit: 'None',
          value: 0.0123,
          dimensions: DIMENSIONS,
        },
      },
    ]);
  });

  it('counts the cost of a FAILED or CANCELLED job but not its time (the duration is of successful renders)', () => {
    const metrics = createPowertoolsJobMetrics(createRenderMetrics(FUNCTION_NAME));

    const lines = stdoutLinesOf(() => {
      metrics.jobFinished({ jobId: 'a', outcome: 'FAILED', renderSeconds: 9, costUsd: 0.002 });
      metrics.jobFinished({ jobId: 'b', outcome: 'CANCELLED' });
    });

    expect(lines.map((line) => Object.keys(metricsOf(line)))).toEqual([
      ['JobsFinished'],
      ['RenderCostUsd'],
      ['JobsFinished'],
    ]);
    expect(lines.map((line) => line.Outcome)).toEqual(['FAILED', undefined, 'CANCELLED']);
  });

  it('uses the names and dimensions the dashboard and alarms read (RENDER_METRICS)', () => {
    const metrics = createPowertoolsJobMetrics(createRenderMetrics(FUNCTION_NAME));

    const lines = stdoutLinesOf(() => {
      metrics.renderStarted({ jobId: 'job-1', renderId: 'render-1', rendersInFlight: 1 });
      metrics.jobFinished({ jobId: 'job-1', outcome: 'SUCCEEDED', renderSeconds: 1, costUsd: 1 });
    });

    const written = lines.flatMap((line) => line._aws.CloudWatchMetrics);
    expect(new Set(written.flatMap((directive) => directive.Metrics.map((m) => m.Name)))).toEqual(
      new Set(Object.values(RENDER_METRICS.names)),
    );
    expect(new Set(written.map((directive) => directive.Namespace))).toEqual(
      new Set([RENDER_METRICS.namespace]),
    );
    for (const dimensions of written.flatMap((directive) => directive.Dimensions)) {
      expect(dimensions).toEqual(
        expect.arrayContaining([
          RENDER_METRICS.dimensions.service,
          RENDER_METRICS.dimensions.function,
        ]),
      );
    }
  });

  it('reports a metric it cannot write instead of throwing into the lifecycle', () => {
    const errors: unknown[] = [];
    const metrics = createPowertoolsJobMetrics(createRenderMetrics(FUNCTION_NAME), (error) =>
      errors.push(error),
    );

    const lines = stdoutLinesOf(() =>
      metrics.renderCapReached({ jobId: 'job-1', rendersInFlight: Number.NaN }),
    );

    expect(lines).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toContain('RendersInFlight must be a finite number, but got NaN');
  });
});
