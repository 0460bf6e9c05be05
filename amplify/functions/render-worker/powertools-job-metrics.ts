import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { JobMetrics } from './ports';
import { RENDER_METRICS } from './render-metrics';

/** The Powertools Metrics the worker writes through: namespace, service and function dimensions set. */
export const createRenderMetrics = (functionName: string): Metrics =>
  new Metrics({
    namespace: RENDER_METRICS.namespace,
    serviceName: RENDER_METRICS.service,
    defaultDimensions: { [RENDER_METRICS.dimensions.function]: functionName },
  });

/**
 * The lifecycle's metrics as CloudWatch embedded metric format: each event is one JSON line on stdout, which
 * CloudWatch Logs turns into metrics, so no event costs an API call or delays a render. A metric that cannot be
 * written is reported to `onError`, never thrown into the lifecycle.
 */
export const createPowertoolsJobMetrics = (
  metrics: Metrics,
  onError: (error: unknown) => void = (error) =>
    console.error('Could not write a render metric', error),
): JobMetrics => {
  // Records run in parallel in one invocation: each event is added and published without yielding in between.
  const emit = (write: () => void) => {
    try {
      write();
    } catch (error) {
      metrics.clearMetrics();
      onError(error);
    }
  };
  return {
    renderStarted: ({ rendersInFlight }) =>
      emit(() =>
        metrics
          .addMetric(RENDER_METRICS.names.rendersStarted, MetricUnit.Count, 1)
          .addMetric(RENDER_METRICS.names.rendersInFlight, MetricUnit.Count, rendersInFlight)
          .publishStoredMetrics(),
      ),
    renderCapReached: ({ rendersInFlight }) =>
      emit(() =>
        metrics
          .addMetric(RENDER_METRICS.names.rendersInFlight, MetricUnit.Count, rendersInFlight)
          .publishStoredMetrics(),
      ),
    jobFinished: ({ outcome, renderSeconds, costUsd }) =>
      emit(() => {
        // A line of its own (a single metric publishes at once): Outcome must not split duration and cost.
        metrics
          .singleMetric()
          .addDimension(RENDER_METRICS.dimensions.outcome, outcome)
          .addMetric(RENDER_METRICS.names.jobsFinished, MetricUnit.Count, 1);
        if (outcome === 'SUCCEEDED' && renderSeconds !== undefined)
          metrics.addMetric(RENDER_METRICS.names.renderDurationSeconds, MetricUnit.Seconds, renderSeconds);
        if (costUsd !== undefined)
          metrics.addMetric(RENDER_METRICS.names.renderCostUsd, MetricUnit.NoUnit, costUsd);
        if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
      }),
  };
};
