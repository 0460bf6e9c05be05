import { Metric, type MetricOptions } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { JobOutcome } from '../functions/render-worker/ports';
import { RENDER_METRICS, type RenderMetricName } from '../functions/render-worker/render-metrics';

/** A metric the render worker writes (amplify/functions/render-worker/render-metrics.ts), of this deployment's worker. */
export const workerMetric = (
  worker: IFunction,
  metricName: RenderMetricName,
  { outcome, ...options }: Omit<MetricOptions, 'dimensionsMap'> & { outcome?: JobOutcome } = {},
): Metric =>
  new Metric({
    namespace: RENDER_METRICS.namespace,
    metricName,
    ...options,
    // Exactly the dimensions the worker writes: CloudWatch matches a metric on its full set only.
    dimensionsMap: {
      [RENDER_METRICS.dimensions.service]: RENDER_METRICS.service,
      [RENDER_METRICS.dimensions.function]: worker.functionName,
      ...(outcome ? { [RENDER_METRICS.dimensions.outcome]: outcome } : {}),
    },
  });
