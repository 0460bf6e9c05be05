import { Metrics } from '@aws-lambda-powertools/metrics';
import { z } from 'zod';
import type { WorkerMetricSource } from '../../amplify/functions/operations/worker-metric-data';

type MetricsOptions = NonNullable<ConstructorParameters<typeof Metrics>[0]>;

/** One embedded-metric-format document, as Powertools serializes it and CloudWatch Logs reads it. */
const emfSchema = z
  .object({
    _aws: z.object({
      Timestamp: z.number(),
      CloudWatchMetrics: z.array(
        z.object({
          Namespace: z.string(),
          Dimensions: z.array(z.array(z.string())),
          Metrics: z.array(z.object({ Name: z.string(), Unit: z.string().optional() })),
        }),
      ),
    }),
  })
  .catchall(z.unknown());

/** One metric's values from one document, with the dimension set CloudWatch files them under. */
interface DataPoint {
  timestamp: number;
  namespace: string;
  name: string;
  dimensions: Record<string, string>;
  values: number[];
}

// As long as the Operations view looks back, with room.
const KEEP_MS = 24 * 60 * 60 * 1000;
/**
 * Documents older than a day are dropped at most once a minute: dropping them on every document copied every kept
 * point per document, so a 10,000-row batch spent more and more of the stack's time (and its GC) here as points
 * piled up. Reads filter by time anyway, so a point kept a minute longer changes no answer.
 */
const PRUNE_EVERY_MS = 60 * 1000;

const sameDimensions = (a: Record<string, string>, b: Record<string, string>) =>
  Object.keys(a).length === Object.keys(b).length &&
  Object.entries(a).every(([name, value]) => b[name] === value);

/**
 * Powertools Metrics whose documents go to `record` instead of stdout: the worker code is unchanged (it adds and
 * publishes as in Lambda), only the last step differs. Single-metric lines (JobsFinished by Outcome) too.
 */
class CapturedMetrics extends Metrics {
  readonly #options: MetricsOptions;
  readonly #record: (document: unknown) => void;

  constructor(options: MetricsOptions, record: (document: unknown) => void) {
    super(options);
    this.#options = options;
    this.#record = record;
  }

  override publishStoredMetrics(): this {
    try {
      if (this.hasStoredMetrics()) this.#record(this.serializeMetrics());
    } finally {
      this.clearMetrics();
      this.clearDimensions();
      this.clearMetadata();
    }
    return this;
  }

  override singleMetric(): Metrics {
    return new CapturedMetrics({ ...this.#options, singleMetric: true }, this.#record);
  }
}

/** Local mode's metrics: the documents the worker emits, kept in memory and read as CloudWatch would answer. */
export interface EmfMetricStore {
  /** A Metrics like `createRenderMetrics` makes, whose output lands here. */
  createMetrics(options: MetricsOptions): Metrics;
  /** Keeps one EMF document (also for lines read from a log). */
  record(document: unknown): void;
  /** The same port as the cloud's GetMetricData adapter. */
  source: WorkerMetricSource;
}

/** A fresh, empty store; `now` prunes documents older than a day. */
export const createEmfMetricStore = (now: () => number = Date.now): EmfMetricStore => {
  let points: DataPoint[] = [];
  let prunedAt = Number.NEGATIVE_INFINITY;
  const record = (document: unknown) => {
    const parsed = emfSchema.safeParse(document);
    if (!parsed.success)
      throw new Error(
        `An EMF document must carry _aws.Timestamp and CloudWatchMetrics, but got ${JSON.stringify(document).slice(0, 200)}`,
      );
    const emf = parsed.data;
    if (now() - prunedAt >= PRUNE_EVERY_MS) {
      prunedAt = now();
      points = points.filter((point) => point.timestamp >= prunedAt - KEEP_MS);
    }
    for (const directive of emf._aws.CloudWatchMetrics) {
      // CloudWatch files the values under each dimension set the directive names.
      for (const set of directive.Dimensions) {
        const dimensions = Object.fromEntries(set.map((name) => [name, String(emf[name])]));
        for (const metric of directive.Metrics) {
          const value = emf[metric.Name];
          const values = (Array.isArray(value) ? value : [value]).filter(
            (item): item is number => typeof item === 'number' && Number.isFinite(item),
          );
          if (values.length === 0) continue;
          points.push({
            timestamp: emf._aws.Timestamp,
            namespace: directive.Namespace,
            name: metric.Name,
            dimensions,
            values,
          });
        }
      }
    }
  };
  return {
    createMetrics: (options) => new CapturedMetrics(options, record),
    record,
    source: {
      async read(queries, { start, end }) {
        return Object.fromEntries(
          queries.map((query) => {
            const values = points
              .filter(
                (point) =>
                  point.timestamp >= start.getTime() &&
                  point.timestamp < end.getTime() &&
                  point.namespace === query.namespace &&
                  point.name === query.metricName &&
                  sameDimensions(point.dimensions, query.dimensions),
              )
              .flatMap((point) => point.values);
            if (values.length === 0) return [query.id, null];
            return [
              query.id,
              query.stat === 'Maximum'
                ? Math.max(...values)
                : values.reduce((sum, value) => sum + value, 0),
            ];
          }),
        );
      },
    },
  };
};
