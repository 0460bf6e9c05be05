import { defineBackend } from '@aws-amplify/backend';
import { Stack } from 'aws-cdk-lib';
import { auth } from './auth/resource';
import { data } from './data/resource';
import { batches, batchProgress } from './functions/batches/resource';
import { jobReconciler } from './functions/job-reconciler/resource';
import { operations } from './functions/operations/resource';
import { remotionWebhook } from './functions/remotion-webhook/resource';
import { jobRemover } from './functions/remove-job/resource';
import { renderWorker } from './functions/render-worker/resource';
import { signerKeyRotation } from './functions/signer-key-rotation/resource';
import { videoUrl } from './functions/video-url/resource';
import { webhookApi, webhookDelivery, webhookFanout } from './functions/webhooks/resource';
import { DEPLOY_ENV_READER, readPipelineConfig, renderLimitsOf } from './render-pipeline/config';
import { connectJobStreamToQueue } from './render-pipeline/job-stream-pipe';
import { readJobStream } from './render-pipeline/job-stream-reader';
import { connectQueueToWorker } from './render-pipeline/queue-worker-mapping';
import { createAlarmTopic, sendEveryAlarmTo } from './render-pipeline/alarm-topic';
import { retainLogsOfEveryFunction } from './render-pipeline/log-retention';
import { createRenderAlarms, createRenderBudgetAlarms } from './render-pipeline/render-alarms';
import { createRenderDashboard } from './render-pipeline/render-dashboard';
import { createRenderQueue } from './render-pipeline/render-queue';
import {
  configureOperationsFunction,
  configureWorkerSpend,
} from './render-pipeline/operations-access';
import { readSpendBudgets } from './render-pipeline/spend-config';
import { configureBatchFunctions } from './render-pipeline/batch-access';
import { scheduleJobReconciler } from './render-pipeline/reconciler-schedule';
import { configureRenderWorker } from './render-pipeline/render-worker-access';
import { configureJobRemover } from './render-pipeline/job-remover-access';
import { createRemotionWebhookEndpoint } from './render-pipeline/remotion-webhook-endpoint';
import { createWebhookDelivery } from './render-pipeline/webhook-delivery';
import { createRemotionRenderFunction } from './remotion-lambda/remotion-render-function';
import { createRemotionBucket, deployRemotionSite } from './remotion-lambda/remotion-site';
import { storage } from './storage/resource';
import { configureVideoUrlFunction, createVideoUrlSigner } from './storage/video-url-signer';
import { expireRenderOutputs } from './storage/output-retention-rules';
import { enableNagChecksWhenAsked } from './nag-suppressions';
import { toRenderLimitsOutput } from '../src/lib/amplify-outputs';

// The deploy's settings, read once; a bad value stops synthesis naming the variable.
const config = readPipelineConfig();
const budgets = readSpendBudgets(process.env, DEPLOY_ENV_READER);

const backend = defineBackend({
  auth,
  data,
  storage,
  renderWorker,
  videoUrl,
  signerKeyRotation,
  jobReconciler,
  operations,
  remotionWebhook,
  batches,
  batchProgress,
  webhookApi,
  webhookFanout,
  webhookDelivery,
  jobRemover,
});

// Stacks: data (table, worker, queue, pipe, alarms) → remotion → storage; nothing points back.
const dataStack = Stack.of(backend.data.resources.graphqlApi);
const jobTable = backend.data.resources.tables['Job']!;
const outputBucket = backend.storage.resources.bucket;
const worker = backend.renderWorker.resources.lambda;

const queues = createRenderQueue(dataStack, config);
const jobStream = connectJobStreamToQueue(dataStack, { table: jobTable, queue: queues.queue });
connectQueueToWorker(queues, worker, config);
createRenderAlarms(dataStack, queues, worker, config, jobStream.deadLetterQueue);
scheduleJobReconciler(dataStack, {
  reconciler: backend.jobReconciler,
  queues,
  maxActiveJobsPerUser: config.maxActiveJobsPerUser,
});
const remotionWebhookEndpoint = createRemotionWebhookEndpoint(dataStack, {
  webhook: backend.remotionWebhook,
  queues,
});

const remotionStack = backend.createStack('remotion');
const remotionBucket = createRemotionBucket(remotionStack);
const remotionFunction = createRemotionRenderFunction(remotionStack, { config, outputBucket });
const serveUrl = deployRemotionSite(remotionStack);
// Retention: S3 deletes outputs and render state after OUTPUT_RETENTION_DAYS (docs/architecture.md, "Outputs").
expireRenderOutputs({ outputBucket, remotionBucket }, config);
configureRenderWorker(backend.renderWorker, {
  queues,
  remotionFunction,
  remotionBucket,
  serveUrl,
  outputBucket,
  config,
  remotionWebhook: remotionWebhookEndpoint,
  tables: { job: jobTable, renderSlot: backend.data.resources.tables['RenderSlot']! },
});

// Delete a job (docs/architecture.md, "Outputs"): its record, outputs and render state, nothing else.
configureJobRemover(backend.jobRemover, { jobTable, outputBucket, remotionBucket, config });

const signerSecret = createVideoUrlSigner(Stack.of(outputBucket), {
  outputBucket,
  config,
  rotationFunction: backend.signerKeyRotation,
  rotationDays: config.signerKeyRotationDays,
});
configureVideoUrlFunction(backend.videoUrl, { jobTable, outputBucket, signerSecret, config });

// Operations (data stack, which already reads the render function): a dashboard, every alarm to one topic, logs kept.
createRenderBudgetAlarms(dataStack, { renderFunction: remotionFunction, worker, config });
createRenderDashboard(dataStack, {
  queues,
  pipeDeadLetterQueue: jobStream.deadLetterQueue,
  worker,
  renderFunction: remotionFunction,
  config,
});
// The admins' Operations view: budgets held by the worker, the worker's metrics read back, invitations.
configureWorkerSpend(backend.renderWorker, budgets, backend.data.resources.tables['SpendLedger']!);
configureOperationsFunction(backend.operations, {
  queues,
  worker,
  userPool: backend.auth.resources.userPool,
  config,
  budgets,
});
// Batches (docs/architecture.md, "Batches"): rows written by the batches function, progress from the Job stream.
configureBatchFunctions(
  { batches: backend.batches, batchProgress: backend.batchProgress },
  {
    batchTable: backend.data.resources.tables['Batch']!,
    jobTable,
    ledgerTable: backend.data.resources.tables['SpendLedger']!,
    budgets,
    queues,
    config,
  },
);
// Webhooks to integrators: job endings and batch ends → webhook queue → delivery, beside (never inside) the render path.
const dataTables = backend.data.resources.tables;
const webhooks = createWebhookDelivery(
  dataStack,
  {
    api: backend.webhookApi,
    fanout: backend.webhookFanout,
    delivery: backend.webhookDelivery,
    jobEndings: backend.batchProgress,
  },
  {
    batch: dataTables['Batch']!,
    endpoints: dataTables['WebhookEndpoint']!,
    deliveries: dataTables['WebhookDelivery']!,
    secrets: dataTables['WebhookSecret']!,
  },
);
// The Job stream's second and last reader beside the render Pipe: batch progress and job endings in one event source.
readJobStream(backend.batchProgress, jobTable, webhooks.fanoutDeadLetterQueue);
sendEveryAlarmTo(dataStack, createAlarmTopic(dataStack, config));
retainLogsOfEveryFunction(dataStack.node.root);

enableNagChecksWhenAsked(remotionStack);

// The studio refuses videos longer than the render function can finish (amplify_outputs.json custom.render_limits).
backend.addOutput({ custom: { render_limits: toRenderLimitsOutput(renderLimitsOf(config)) } });
