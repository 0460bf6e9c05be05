import { RENDER_METRICS, type RenderMetricName } from '../render-worker/render-metrics';
import type { JobOutcome } from '../render-worker/ports';
import { JOB_OUTCOMES } from '../render-worker/render-metrics';

/**
 * The Operations view's window on what the render worker emits (embedded metric format through Powertools Metrics,
 * amplify/functions/render-worker/powertools-job-metrics.ts): one port, two adapters. In the cloud it is CloudWatch's
 * GetMetricData over the metrics CloudWatch made of the worker's lines; in local mode it is those same lines,
 * captured in-process (local/operations/emf-metric-store.ts).
 */

/** One statistic of one metric, identified exactly as CloudWatch identifies it: namespace, name, full dimension set. */
export interface WorkerMetricQuery {
  /** `[a-z][a-zA-Z0-9_]*`, as GetMetricData requires. */
  id: string;
  namespace: string;
  metricName: RenderMetricName;
  dimensions: Record<string, string>;
  stat: 'Sum' | 'Maximum';
}

/** Reads statistics over a window; a query with no data point in it resolves to null. */
export interface WorkerMetricSource {
  read(
    queries: WorkerMetricQuery[],
    window: { start: Date; end: Date },
  ): Promise<Record<string, number | null>>;
}

/** The worker's figures over a window, as the Operations overview shows them. */
export interface WorkerFigures {
  finished: number;
  failed: number;
  byOutcome: Record<JobOutcome, number>;
  rendersStarted: number;
  costUsd: number;
}

/** The dimensions every worker metric carries (Powertools' `service` and the function's name). */
const workerDimensions = (functionName: string, extra: Record<string, string> = {}) => ({
  [RENDER_METRICS.dimensions.service]: RENDER_METRICS.service,
  [RENDER_METRICS.dimensions.function]: functionName,
  ...extra,
});

/** The queries the overview asks, with exactly the names and dimensions the worker writes. */
export const workerFigureQueries = (functionName: string): WorkerMetricQuery[] => [
  ...JOB_OUTCOMES.map((outcome): WorkerMetricQuery => ({
    id: `finished_${outcome.toLowerCase()}`,
    namespace: RENDER_METRICS.namespace,
    metricName: RENDER_METRICS.names.jobsFinished,
    dimensions: workerDimensions(functionName, { [RENDER_METRICS.dimensions.outcome]: outcome }),
    stat: 'Sum',
  })),
  {
    id: 'started',
    namespace: RENDER_METRICS.namespace,
    metricName: RENDER_METRICS.names.rendersStarted,
    dimensions: workerDimensions(functionName),
    stat: 'Sum',
  },
  {
    id: 'cost',
    namespace: RENDER_METRICS.namespace,
    metricName: RENDER_METRICS.names.renderCostUsd,
    dimensions: workerDimensions(functionName),
    stat: 'Sum',
  },
];

/** The worker's figures over `window`, read through `source`. */
export const readWorkerFigures = async (
  source: WorkerMetricSource,
  functionName: string,
  window: { start: Date; end: Date },
): Promise<WorkerFigures> => {
  const values = await source.read(workerFigureQueries(functionName), window);
  const byOutcome = Object.fromEntries(
    JOB_OUTCOMES.map((outcome) => [outcome, values[`finished_${outcome.toLowerCase()}`] ?? 0]),
  ) as Record<JobOutcome, number>;
  return {
    byOutcome,
    finished: JOB_OUTCOMES.reduce((sum, outcome) => sum + byOutcome[outcome], 0),
    failed: byOutcome.FAILED,
    rendersStarted: values.started ?? 0,
    costUsd: values.cost ?? 0,
  };
};

/** GetMetricData's request, as the AWS SDK v3 (`GetMetricDataCommandInput`) and the API spell it. */
export interface GetMetricDataInput {
  MetricDataQueries: {
    Id: string;
    MetricStat: {
      Metric: {
        Namespace: string;
        MetricName: string;
        Dimensions: { Name: string; Value: string }[];
      };
      Period: number;
      Stat: string;
    };
    ReturnData: boolean;
  }[];
  StartTime: Date;
  EndTime: Date;
  NextToken?: string;
}

/** GetMetricData's answer, the parts read here (`GetMetricDataCommandOutput`). */
export interface GetMetricDataOutput {
  MetricDataResults?: { Id?: string; Values?: number[]; StatusCode?: string }[];
  NextToken?: string;
}

const MAX_PAGES = 20;

/**
 * The cloud adapter: CloudWatch GetMetricData (`cloudwatch:GetMetricData`), one period spanning the window, pages
 * followed. Sums add up every value returned; a maximum takes the largest.
 */
export const createCloudWatchWorkerMetrics = (
  getMetricData: (input: GetMetricDataInput) => Promise<GetMetricDataOutput>,
): WorkerMetricSource => ({
  async read(queries, { start, end }) {
    const seconds = Math.max(60, Math.ceil((end.getTime() - start.getTime()) / 60_000) * 60);
    const MetricDataQueries = queries.map((query) => ({
      Id: query.id,
      MetricStat: {
        Metric: {
          Namespace: query.namespace,
          MetricName: query.metricName,
          Dimensions: Object.entries(query.dimensions).map(([Name, Value]) => ({ Name, Value })),
        },
        Period: seconds,
        Stat: query.stat,
      },
      ReturnData: true,
    }));
    const seen = new Map<string, number[]>(queries.map((query) => [query.id, []]));
    let NextToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const output = await getMetricData({
        MetricDataQueries,
        StartTime: start,
        EndTime: end,
        ...(NextToken ? { NextToken } : {}),
      });
      for (const result of output.MetricDataResults ?? []) {
        if (result.Id && seen.has(result.Id)) seen.get(result.Id)!.push(...(result.Values ?? []));
      }
      NextToken = output.NextToken;
      if (!NextToken) break;
    }
    const stats = new Map(queries.map((query) => [query.id, query.stat]));
    return Object.fromEntries(
      [...seen].map(([id, values]) => [
        id,
        values.length === 0
          ? null
          : stats.get(id) === 'Maximum'
            ? Math.max(...values)
            : values.reduce((sum, value) => sum + value, 0),
      ]),
    );
  },
});
