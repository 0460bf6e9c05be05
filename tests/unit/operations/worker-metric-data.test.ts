// The Operations view's throughput and failure rate come from what the render worker emits: the same Powertools
// Metrics code the Lambda runs, read back through one port. Local mode keeps the EMF documents in-process and
// answers as CloudWatch would (exact dimension sets, a window); the cloud asks GetMetricData for exactly the
// metric names, namespace and dimensions the worker writes.
import { describe, expect, it } from 'vitest';
import {
  createCloudWatchWorkerMetrics,
  readWorkerFigures,
  workerFigureQueries,
  type GetMetricDataInput,
  type GetMetricDataOutput,
} from '../../../amplify/functions/operations/worker-metric-data';
import {
  createPowertoolsJobMetrics,
  createRenderMetrics,
} from '../../../amplify/functions/render-worker/powertools-job-metrics';
import { RENDER_METRICS } from '../../../amplify/functions/render-worker/render-metrics';
import { createEmfMetricStore } from '../../../local/operations/emf-metric-store';

const WORKER = 'render-worker-local';
const HOUR_MS = 60 * 60 * 1000;
const lastHour = () => ({
  start: new Date(Date.now() - HOUR_MS),
  end: new Date(Date.now() + 1000),
});

describe('local mode: the EMF documents the worker emits, kept and read back', () => {
  it('counts jobs finished by outcome, renders started and cost from the worker’s own metrics code', async () => {
    const store = createEmfMetricStore();
    const metrics = createPowertoolsJobMetrics(createRenderMetrics(WORKER, store.createMetrics));

    metrics.renderStarted({ jobId: 'a', renderId: 'r1', rendersInFlight: 1 });
    metrics.renderStarted({ jobId: 'b', renderId: 'r2', rendersInFlight: 2 });
    metrics.jobFinished({ jobId: 'a', outcome: 'SUCCEEDED', renderSeconds: 12, costUsd: 0.02 });
    metrics.jobFinished({ jobId: 'b', outcome: 'FAILED', costUsd: 0.01 });
    metrics.jobFinished({ jobId: 'c', outcome: 'FAILED' });
    metrics.jobFinished({ jobId: 'd', outcome: 'CANCELLED' });

    expect(await readWorkerFigures(store.source, WORKER, lastHour())).toEqual({
      byOutcome: { SUCCEEDED: 1, FAILED: 2, CANCELLED: 1 },
      finished: 4,
      failed: 2,
      rendersStarted: 2,
      costUsd: 0.03,
    });
  });

  it('matches a metric on its full dimension set and its window, as CloudWatch does', async () => {
    const store = createEmfMetricStore();
    const ours = createPowertoolsJobMetrics(createRenderMetrics(WORKER, store.createMetrics));
    const another = createPowertoolsJobMetrics(
      createRenderMetrics('other-worker', store.createMetrics),
    );
    ours.jobFinished({ jobId: 'a', outcome: 'FAILED' });
    another.jobFinished({ jobId: 'b', outcome: 'FAILED' });
    // A JobsFinished without Outcome is another metric to CloudWatch: not counted by outcome.
    store.record({
      _aws: {
        Timestamp: Date.now(),
        CloudWatchMetrics: [
          {
            Namespace: RENDER_METRICS.namespace,
            Dimensions: [['service', 'FunctionName']],
            Metrics: [{ Name: 'JobsFinished', Unit: 'Count' }],
          },
        ],
      },
      service: RENDER_METRICS.service,
      FunctionName: WORKER,
      JobsFinished: 5,
    });
    // Two hours old: outside the last hour.
    store.record({
      _aws: {
        Timestamp: Date.now() - 2 * HOUR_MS,
        CloudWatchMetrics: [
          {
            Namespace: RENDER_METRICS.namespace,
            Dimensions: [['service', 'FunctionName', 'Outcome']],
            Metrics: [{ Name: 'JobsFinished', Unit: 'Count' }],
          },
        ],
      },
      service: RENDER_METRICS.service,
      FunctionName: WORKER,
      Outcome: 'FAILED',
      JobsFinished: 1,
    });

    const figures = await readWorkerFigures(store.source, WORKER, lastHour());

    expect(figures).toMatchObject({ finished: 1, failed: 1 });
  });

  it('answers nothing (zeros) before the worker emitted anything, and refuses a document that is not EMF', async () => {
    const store = createEmfMetricStore();
    expect(await readWorkerFigures(store.source, WORKER, lastHour())).toMatchObject({
      finished: 0,
      failed: 0,
      costUsd: 0,
    });
    expect(() => store.record({ JobsFinished: 1 })).toThrow(
      /An EMF document must carry _aws.Timestamp and CloudWatchMetrics, but got \{"JobsFinished":1\}/,
    );
  });
});

describe('the cloud: GetMetricData over the metrics the worker writes', () => {
  it('asks for exactly the names, namespace and dimensions the worker emits, one period over the window', async () => {
    const asked: GetMetricDataInput[] = [];
    const source = createCloudWatchWorkerMetrics(async (input) => {
      asked.push(input);
      return { MetricDataResults: [] };
    });
    const window = {
      start: new Date('2026-12-05T07:00:00Z'),
      end: new Date('2026-12-05T08:00:00Z'),
    };

    await readWorkerFigures(source, 'amplify-x-renderworker-AbC', window);

    expect(asked).toHaveLength(1);
    expect(asked[0]!.StartTime).toEqual(window.start);
    expect(asked[0]!.EndTime).toEqual(window.end);
    const dimensionsOf = (extra: Record<string, string> = {}) =>
      Object.entries({
        service: 'render-worker',
        FunctionName: 'amplify-x-renderworker-AbC',
        ...extra,
      }).map(([Name, Value]) => ({ Name, Value }));
    expect(asked[0]!.MetricDataQueries).toEqual([
      ...['SUCCEEDED', 'FAILED', 'CANCELLED'].map((outcome) => ({
        Id: `finished_${outcome.toLowerCase()}`,
        MetricStat: {
          Metric: {
            Namespace: 'RenderStudio',
            MetricName: 'JobsFinished',
            Dimensions: dimensionsOf({ Outcome: outcome }),
          },
          Period: 3600,
          Stat: 'Sum',
        },
        ReturnData: true,
      })),
      {
        Id: 'started',
        MetricStat: {
          Metric: {
            Namespace: 'RenderStudio',
            MetricName: 'RendersStarted',
            Dimensions: dimensionsOf(),
          },
          Period: 3600,
          Stat: 'Sum',
        },
        ReturnData: true,
      },
      {
        Id: 'cost',
        MetricStat: {
          Metric: {
            Namespace: 'RenderStudio',
            MetricName: 'RenderCostUsd',
            Dimensions: dimensionsOf(),
          },
          Period: 3600,
          Stat: 'Sum',
        },
        ReturnData: true,
      },
    ]);
    // Every query id is one GetMetricData accepts.
    for (const query of workerFigureQueries('f')) expect(query.id).toMatch(/^[a-z][a-zA-Z0-9_]*$/);
  });

  it('adds up the values of every page, and counts a metric with no data as zero', async () => {
    const pages: GetMetricDataOutput[] = [
      {
        MetricDataResults: [
          { Id: 'finished_succeeded', Values: [3], StatusCode: 'PartialData' },
          { Id: 'finished_failed', Values: [1] },
        ],
        NextToken: 'page-2',
      },
      {
        MetricDataResults: [
          { Id: 'finished_succeeded', Values: [2], StatusCode: 'Complete' },
          { Id: 'cost', Values: [0.25, 0.5] },
        ],
      },
    ];
    const tokens: (string | undefined)[] = [];
    const source = createCloudWatchWorkerMetrics(async (input) => {
      tokens.push(input.NextToken);
      return pages.shift()!;
    });

    const figures = await readWorkerFigures(source, 'fn', lastHour());

    expect(tokens).toEqual([undefined, 'page-2']);
    expect(figures).toEqual({
      byOutcome: { SUCCEEDED: 5, FAILED: 1, CANCELLED: 0 },
      finished: 6,
      failed: 1,
      rendersStarted: 0,
      costUsd: 0.75,
    });
  });
});
