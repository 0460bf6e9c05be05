import { TERMINAL_JOB_STATUSES } from '../../../contract/job-contract';
import type { JobOutcome } from './ports';

/**
 * The render worker's CloudWatch metrics: one place for the names the worker writes (powertools-job-metrics.ts) and
 * the dashboard and alarms read (amplify/render-pipeline). Every metric carries `service` and `FunctionName`, so two
 * deployments in one account keep theirs apart; JobsFinished also carries `Outcome`.
 */
export const RENDER_METRICS = {
  namespace: 'RenderStudio',
  /** Powertools' `service` dimension, and the Logger's `service` field. */
  service: 'render-worker',
  dimensions: { service: 'service', function: 'FunctionName', outcome: 'Outcome' },
  names: {
    /** Count, one per job that ended, by `Outcome`. */
    jobsFinished: 'JobsFinished',
    /** Seconds from a successful render's start to its end. */
    renderDurationSeconds: 'RenderDurationSeconds',
    /** US dollars a job's renders cost (Remotion's estimate), written when the job ends. */
    renderCostUsd: 'RenderCostUsd',
    /** Count, one per render started. */
    rendersStarted: 'RendersStarted',
    /** Renders RENDERING when a start (counting itself) or a wait at the cap looked: read its Maximum. */
    rendersInFlight: 'RendersInFlight',
  },
} as const;

/** A metric the render worker writes. */
export type RenderMetricName = (typeof RENDER_METRICS.names)[keyof typeof RENDER_METRICS.names];

/** The outcomes JobsFinished is split by: every status a job ends in. */
export const JOB_OUTCOMES = TERMINAL_JOB_STATUSES as readonly JobOutcome[];
