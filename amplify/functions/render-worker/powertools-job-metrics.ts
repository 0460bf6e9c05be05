import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MetricUnit as Unit } from '@aws-lambda-powertools/metrics/types';
import type { JobMetrics } from './ports';
import { RENDER_METRICS } from './render-metrics';

/**
 * The Powertools Metrics the worker writes through: namespace, service and function dimensions set. `make` builds
 * the instance: stdout in Lambda; local mode passes one that keeps the documents for its Operations view.
 */
export const createRenderMetrics = (
  functionName: string,
  make: (options: NonNullable<ConstructorParameters<typeof Metrics>[0]>) => Metrics = (options) =>
    new Metrics(options),
): Metrics =>
  make({
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
  // Powertools writes NaN as null, which CloudWatch drops with the whole line: refuse it here, naming it.
  const add = (target: Metrics, name: string, unit: Unit, value: number) => {
    if (!Number.isFinite(value))
      throw new RangeError(`${name} must be a finite number, but got ${value}`);
    return target.addMetric(name, unit, value);
  };
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
      emit(() => {
        add(metrics, RENDER_METRICS.names.rendersInFlight, MetricUnit.Count, rendersInFlight);
        add(metrics, RENDER_METRICS.names.rendersStarted, MetricUnit.Count, 1);
        metrics.publishStoredMetrics();
      }),
    renderCapReached: ({ rendersInFlight }) =>
      emit(() =>
        add(
          metrics,
          RENDER_METRICS.names.rendersInFlight,
          MetricUnit.Count,
          rendersInFlight,
        ).publishStoredMetrics(),
      ),
    jobFinished: ({ outcome, renderSeconds, costUsd }) =>
      emit(() => {
        // A line of its own (a single metric publishes at once): Outcome must not split duration and cost.
        const byOutcome = metrics
          .singleMetric()
          .addDimension(RENDER_METRICS.dimensions.outcome, outcome);
        add(byOutcome, RENDER_METRICS.names.jobsFinished, MetricUnit.Count, 1);
        if (outcome === 'SUCCEEDED' && renderSeconds !== undefined)
          add(
            metrics,
            RENDER_METRICS.names.renderDurationSeconds,
            MetricUnit.Seconds,
            renderSeconds,
          );
        if (costUsd !== undefined)
          add(metrics, RENDER_METRICS.names.renderCostUsd, MetricUnit.NoUnit, costUsd);
        if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
      }),
  };
};
