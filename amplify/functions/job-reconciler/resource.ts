import { defineFunction } from '@aws-amplify/backend';
import { FUNCTION_LOG_RETENTION } from '../../render-pipeline/log-retention';

/**
 * The job reconciler: every few minutes, re-enqueues jobs whose queue message was lost and frees render
 * slots of finished jobs (`reconcileJobs` in amplify/functions/render-worker/reconcile-jobs.ts). In the
 * data stack's group, beside the worker and the queue it sends to, so no stack depends on another in a cycle.
 * Its schedule, environment and alarms are set by `scheduleJobReconciler`
 * (amplify/render-pipeline/reconciler-schedule.ts).
 */
export const jobReconciler = defineFunction({
  name: 'job-reconciler',
  entry: './handler.ts',
  resourceGroupName: 'data',
  runtime: 22,
  timeoutSeconds: 120,
  memoryMB: 512,
  logging: { retention: FUNCTION_LOG_RETENTION },
});
