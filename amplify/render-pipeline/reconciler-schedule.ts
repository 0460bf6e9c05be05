import { Duration, type Stack } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { RECONCILER_METRIC } from '../functions/job-reconciler/reconciler-metric';
import type { RenderQueues } from './render-queue';
import type { AmplifyFunctionResource } from '../functions/amplify-function-resource';

/** How often the reconciler runs; its bounds (10 minutes) are longer, so a stuck job waits at most ~15. */
export const RECONCILE_EVERY = Duration.minutes(5);

/** The reconciler's schedule and alarms. */
export interface JobReconcilerSchedule {
  rule: Rule;
  /** The reconciler fixed something: a message was lost, a cancel went unheard, or a slot leaked. */
  jobsReconciled: Alarm;
  /** The reconciler itself failed (it threw, or could not act on a job). */
  reconcilerFailed: Alarm;
}

/**
 * Runs the job reconciler every five minutes: sets its environment, lets it send `{ jobId }` to the render queue
 * (SendMessage on that queue only), and alarms when it had to act or failed.
 */
export const scheduleJobReconciler = (
  stack: Stack,
  {
    reconciler,
    queues,
    maxActiveJobsPerUser,
  }: { reconciler: AmplifyFunctionResource; queues: RenderQueues; maxActiveJobsPerUser: number },
): JobReconcilerSchedule => {
  const lambda = reconciler.resources.lambda;
  reconciler.addEnvironment('RENDER_QUEUE_URL', queues.queue.queueUrl);
  // Batch rows nothing is left to wake are woken this many per owner (the per-user limit).
  reconciler.addEnvironment('MAX_ACTIVE_JOBS_PER_USER', String(maxActiveJobsPerUser));
  lambda.addToRolePolicy(
    new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queues.queue.queueArn] }),
  );
  // The next run comes in five minutes: a failed run is not retried, so two never overlap.
  lambda.configureAsyncInvoke({ retryAttempts: 0 });
  const rule = new Rule(stack, 'JobReconcilerSchedule', {
    description:
      'Re-enqueues render jobs whose queue message was lost, wakes batch rows nothing else will wake and frees render slots of ended jobs.',
    schedule: Schedule.rate(RECONCILE_EVERY),
    targets: [new LambdaFunction(lambda, { retryAttempts: 0 })],
  });

  const metric = (metricName: string) =>
    new Metric({
      namespace: RECONCILER_METRIC.namespace,
      metricName,
      dimensionsMap: { [RECONCILER_METRIC.dimension]: lambda.functionName },
      statistic: 'Sum',
      period: RECONCILE_EVERY,
    });
  const jobsReconciled = new Alarm(stack, 'JobReconcilerActed', {
    alarmDescription:
      'The job reconciler re-enqueued a job or freed a render slot: a queue message was lost, a cancel went ' +
      'unheard or a worker died mid-write. Its log line ("reconciled") names the jobs.',
    metric: metric(RECONCILER_METRIC.acted),
    threshold: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
  const reconcilerFailed = new Alarm(stack, 'JobReconcilerFailed', {
    alarmDescription: 'The job reconciler threw or could not act on a job: see its logs.',
    // FILL: a run that never logged has no ReconcileErrors datapoint, and a missing term would void the sum.
    metric: new MathExpression({
      expression: 'FILL(thrown, 0) + FILL(unactioned, 0)',
      usingMetrics: {
        thrown: lambda.metricErrors({ period: RECONCILE_EVERY, statistic: 'Sum' }),
        unactioned: metric(RECONCILER_METRIC.errors),
      },
      period: RECONCILE_EVERY,
    }),
    threshold: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
  return { rule, jobsReconciled, reconcilerFailed };
};
