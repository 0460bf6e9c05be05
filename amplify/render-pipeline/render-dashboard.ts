import { Duration, type Stack } from 'aws-cdk-lib';
import {
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { JOB_OUTCOMES, RENDER_METRICS } from '../functions/render-worker/render-metrics';
import type { PipelineConfig } from './config';
import type { RenderQueues } from './render-queue';
import { workerMetric } from './worker-metrics';

/** What the dashboard shows. */
export interface RenderDashboardSources {
  queues: RenderQueues;
  /** The DLQ of the pipe from the Job table's stream to the render queue. */
  pipeDeadLetterQueue: IQueue;
  worker: IFunction;
  /** Remotion's render function. */
  renderFunction: IFunction;
  config: Pick<
    PipelineConfig,
    | 'renderCap'
    | 'oldestMessageAlarmSeconds'
    | 'peakConcurrentExecutions'
    | 'lambdaConcurrencyBudget'
    | 'dailyCostAlarmUsd'
  >;
}

const MINUTE = Duration.minutes(1);
const FIVE_MINUTES = Duration.minutes(5);
const HOUR = Duration.hours(1);

const graph = (
  title: string,
  left: IMetric[],
  extra: Partial<ConstructorParameters<typeof GraphWidget>[0]> = {},
) => new GraphWidget({ title, left, width: 8, height: 6, ...extra });

/**
 * The operator's one page (CloudWatch → Dashboards): the render queue and its DLQs, renders in flight against the
 * cap, jobs finished by outcome, render time, cost, and the errors and throttles of the worker and Remotion's
 * function. Its name is CloudFormation's, so two environments in one account get one each.
 */
export const createRenderDashboard = (
  stack: Stack,
  {
    queues: { queue, deadLetterQueue },
    pipeDeadLetterQueue,
    worker,
    renderFunction,
    config,
  }: RenderDashboardSources,
): Dashboard => {
  const dashboard = new Dashboard(stack, 'RenderDashboard', { defaultInterval: Duration.days(1) });
  const latest = { period: MINUTE, statistic: 'Maximum' };
  const finishedPerHour = JOB_OUTCOMES.map((outcome) =>
    workerMetric(worker, RENDER_METRICS.names.jobsFinished, {
      outcome,
      period: HOUR,
      statistic: 'Sum',
      label: outcome,
    }),
  );

  dashboard.addWidgets(
    new TextWidget({
      markdown:
        '**Render Studio**: Job table → render queue → render worker → Remotion render function. ' +
        `${RENDER_METRICS.names.rendersInFlight} is sampled when a render starts or waits at the cap; ` +
        'every alarm notifies the alarm topic (ALARM_EMAIL).',
      width: 24,
      height: 2,
    }),
  );
  dashboard.addWidgets(
    graph('Render queue: messages', [
      queue.metricApproximateNumberOfMessagesVisible({ ...latest, label: 'waiting' }),
      queue.metricApproximateNumberOfMessagesNotVisible({ ...latest, label: 'being handled' }),
    ]),
    graph(
      'Render queue: oldest message (seconds)',
      [queue.metricApproximateAgeOfOldestMessage({ ...latest, label: 'age' })],
      { leftAnnotations: [{ value: config.oldestMessageAlarmSeconds, label: 'alarm' }] },
    ),
    graph('Dead-letter queues: messages', [
      new MathExpression({
        expression: 'visible + inFlight',
        usingMetrics: {
          visible: deadLetterQueue.metricApproximateNumberOfMessagesVisible(latest),
          inFlight: deadLetterQueue.metricApproximateNumberOfMessagesNotVisible(latest),
        },
        period: MINUTE,
        label: 'render DLQ',
      }),
      pipeDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
        ...latest,
        label: 'job stream pipe DLQ',
      }),
    ]),
  );
  dashboard.addWidgets(
    graph(
      `Renders in flight (cap ${config.renderCap})`,
      [
        workerMetric(worker, RENDER_METRICS.names.rendersInFlight, {
          ...latest,
          label: 'in flight',
        }),
      ],
      {
        right: [
          workerMetric(worker, RENDER_METRICS.names.rendersStarted, {
            period: FIVE_MINUTES,
            statistic: 'Sum',
            label: 'started per 5 minutes',
          }),
        ],
        leftAnnotations: [{ value: config.renderCap, label: 'RENDER_CAP' }],
        leftYAxis: { min: 0 },
      },
    ),
    graph('Jobs finished per hour, by outcome', finishedPerHour, { stacked: true }),
    graph('Render duration (seconds, successful renders)', [
      workerMetric(worker, RENDER_METRICS.names.renderDurationSeconds, {
        period: HOUR,
        statistic: 'p50',
        label: 'p50',
      }),
      workerMetric(worker, RENDER_METRICS.names.renderDurationSeconds, {
        period: HOUR,
        statistic: 'p95',
        label: 'p95',
      }),
    ]),
  );
  dashboard.addWidgets(
    graph(
      'Render cost per hour (USD, Remotion estimate)',
      [
        workerMetric(worker, RENDER_METRICS.names.renderCostUsd, {
          period: HOUR,
          statistic: 'Sum',
          label: 'cost',
        }),
      ],
      {
        leftAnnotations: [
          { value: config.dailyCostAlarmUsd / 24, label: 'DAILY_COST_ALARM_USD / 24' },
        ],
      },
    ),
    graph('Render worker: errors and throttles', [
      worker.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum', label: 'errors' }),
      worker.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum', label: 'throttles' }),
    ]),
    graph(
      'Remotion render function',
      [
        renderFunction.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum', label: 'errors' }),
        renderFunction.metricThrottles({
          period: FIVE_MINUTES,
          statistic: 'Sum',
          label: 'throttles',
        }),
      ],
      {
        right: [
          renderFunction.metric('ConcurrentExecutions', {
            ...latest,
            label: 'concurrent executions',
          }),
        ],
        rightAnnotations: [
          { value: config.peakConcurrentExecutions, label: 'planned peak, all functions' },
          { value: config.lambdaConcurrencyBudget, label: 'LAMBDA_CONCURRENCY_BUDGET' },
        ],
      },
    ),
  );
  return dashboard;
};
