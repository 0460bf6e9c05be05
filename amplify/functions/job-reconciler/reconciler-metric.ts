import type { ReconcileSummary } from '../render-worker/reconcile-jobs';

/** The metric the reconciler's alarm watches, one per function (dimension `FunctionName`). */
export const RECONCILER_METRIC = {
  namespace: 'RenderStudio/JobReconciler',
  acted: 'JobsReconciled',
  errors: 'ReconcileErrors',
  dimension: 'FunctionName',
} as const;

/**
 * The run's log line: its summary (`reconciled` is what it fixed) in CloudWatch's embedded metric format, so the
 * alarm's metric needs no metric filter or log group of its own.
 */
export const toReconcilerLogLine = (
  summary: ReconcileSummary,
  functionName: string,
  timestampMs: number,
): string =>
  JSON.stringify({
    _aws: {
      Timestamp: timestampMs,
      CloudWatchMetrics: [
        {
          Namespace: RECONCILER_METRIC.namespace,
          Dimensions: [[RECONCILER_METRIC.dimension]],
          Metrics: [
            { Name: RECONCILER_METRIC.acted, Unit: 'Count' },
            { Name: RECONCILER_METRIC.errors, Unit: 'Count' },
          ],
        },
      ],
    },
    [RECONCILER_METRIC.dimension]: functionName,
    [RECONCILER_METRIC.acted]: summary.acted,
    [RECONCILER_METRIC.errors]: summary.errors.length,
    reconciled: summary.acted,
    ...summary,
  });
