import { Duration, type Stack } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  MathExpression,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { RENDER_METRICS } from '../functions/render-worker/render-metrics';
import type { PipelineConfig } from './config';
import type { RenderQueues } from './render-queue';
import { workerMetric } from './worker-metrics';

/** The pipeline's alarms. */
export interface RenderAlarms {
  deadLetterQueueNotEmpty: Alarm;
  oldestMessageTooOld: Alarm;
  workerErrors: Alarm;
  pipeDeliveryFailed: Alarm;
}

/** Creates the alarms an operator needs: jobs given up on, a stalled queue, a failing worker. */
export const createRenderAlarms = (
  stack: Stack,
  { queue, deadLetterQueue }: RenderQueues,
  worker: IFunction,
  config: PipelineConfig,
  pipeDeadLetterQueue: IQueue,
): RenderAlarms => {
  const oneMinute = Duration.minutes(1);
  // Visible + in flight: the worker drains the DLQ, so "visible" alone would hide a stuck consumer.
  const messagesInDeadLetterQueue = new MathExpression({
    expression: 'visible + inFlight',
    usingMetrics: {
      visible: deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: oneMinute,
        statistic: 'Maximum',
      }),
      inFlight: deadLetterQueue.metricApproximateNumberOfMessagesNotVisible({
        period: oneMinute,
        statistic: 'Maximum',
      }),
    },
    period: oneMinute,
  });
  const deadLetterQueueNotEmpty = new Alarm(stack, 'RenderDeadLetterQueueNotEmpty', {
    alarmDescription: 'A render job was given up after its last receive and reached the DLQ.',
    metric: messagesInDeadLetterQueue,
    threshold: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
  const oldestMessageTooOld = new Alarm(stack, 'RenderQueueOldestMessageTooOld', {
    alarmDescription: `The oldest render message is older than ${config.oldestMessageAlarmSeconds} s: renders are stalled or the cap is too low.`,
    metric: queue.metricApproximateAgeOfOldestMessage({ period: oneMinute, statistic: 'Maximum' }),
    threshold: config.oldestMessageAlarmSeconds,
    comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 5,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
  const workerErrors = new Alarm(stack, 'RenderWorkerErrors', {
    alarmDescription: 'The render worker threw (not a reported batch item failure): see its logs.',
    metric: worker.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
    threshold: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
  const pipeDeliveryFailed = new Alarm(stack, 'JobStreamPipeDeliveryFailed', {
    alarmDescription:
      'The Job stream pipe gave up delivering new jobs to the render queue (see its DLQ); the reconciler re-enqueues them.',
    metric: pipeDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
      period: oneMinute,
      statistic: 'Maximum',
    }),
    threshold: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
  return { deadLetterQueueNotEmpty, oldestMessageTooOld, workerErrors, pipeDeliveryFailed };
};

/** The alarms on the two budgets of a deployment: Lambda concurrency and money. */
export interface RenderBudgetAlarms {
  renderFunctionThrottled: Alarm;
  dailyCostOverBudget: Alarm;
}

/**
 * Alarms when Remotion's render function is throttled (renders outgrew the account's Lambda concurrency) and when
 * the renders that ended in the last 24 hours cost more than DAILY_COST_ALARM_USD.
 */
export const createRenderBudgetAlarms = (
  stack: Stack,
  {
    renderFunction,
    worker,
    config,
  }: {
    renderFunction: IFunction;
    worker: IFunction;
    config: Pick<PipelineConfig, 'dailyCostAlarmUsd' | 'lambdaConcurrencyBudget'>;
  },
): RenderBudgetAlarms => {
  const renderFunctionThrottled = new Alarm(stack, 'RemotionRenderFunctionThrottled', {
    alarmDescription:
      `Lambda throttled the Remotion render function: renders need more concurrent executions than the account ` +
      `gives (planned within LAMBDA_CONCURRENCY_BUDGET ${config.lambdaConcurrencyBudget}). Check other functions ` +
      'in the account, or lower RENDER_CAP.',
    metric: renderFunction.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' }),
    threshold: 0,
    comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
  const dailyCostOverBudget = new Alarm(stack, 'RenderDailyCostOverBudget', {
    alarmDescription:
      `Renders that ended in the last 24 hours cost more than DAILY_COST_ALARM_USD (${config.dailyCostAlarmUsd} ` +
      `US dollars, Remotion's estimate, metric ${RENDER_METRICS.namespace}/${RENDER_METRICS.names.renderCostUsd}).`,
    // One day is the longest period an alarm may evaluate.
    metric: workerMetric(worker, RENDER_METRICS.names.renderCostUsd, {
      period: Duration.days(1),
      statistic: 'Sum',
    }),
    threshold: config.dailyCostAlarmUsd,
    comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
  return { renderFunctionThrottled, dailyCostOverBudget };
};
