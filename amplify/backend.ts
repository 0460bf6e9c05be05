import { defineBackend } from '@aws-amplify/backend';
import { Stack } from 'aws-cdk-lib';
import { auth } from './auth/resource';
import { data } from './data/resource';
import { renderWorker } from './functions/render-worker/resource';
import { videoUrl } from './functions/video-url/resource';
import { pipelineConfig as config, renderLimitsOf } from './render-pipeline/config';
import { connectJobStreamToQueue } from './render-pipeline/job-stream-pipe';
import { connectQueueToWorker } from './render-pipeline/queue-worker-mapping';
import { createRenderAlarms } from './render-pipeline/render-alarms';
import { createRenderQueue } from './render-pipeline/render-queue';
import { configureRenderWorker } from './render-pipeline/render-worker-access';
import { createRemotionRenderFunction } from './remotion-lambda/remotion-render-function';
import { createRemotionBucket, deployRemotionSite } from './remotion-lambda/remotion-site';
import { storage } from './storage/resource';
import { configureVideoUrlFunction, createVideoUrlSigner } from './storage/video-url-signer';
import { enableNagChecksWhenAsked } from './nag-suppressions';
import { toRenderLimitsOutput } from '../src/lib/amplify-outputs';

const backend = defineBackend({ auth, data, storage, renderWorker, videoUrl });

// Stacks: data (table, worker, queue, pipe, alarms) → remotion → storage; nothing points back.
const dataStack = Stack.of(backend.data.resources.graphqlApi);
const jobTable = backend.data.resources.tables['Job']!;
const outputBucket = backend.storage.resources.bucket;
const worker = backend.renderWorker.resources.lambda;

const queues = createRenderQueue(dataStack, config);
const jobStream = connectJobStreamToQueue(dataStack, { table: jobTable, queue: queues.queue });
connectQueueToWorker(queues, worker, config);
createRenderAlarms(dataStack, queues, worker, config, jobStream.deadLetterQueue);

const remotionStack = backend.createStack('remotion');
const remotionBucket = createRemotionBucket(remotionStack);
const remotionFunction = createRemotionRenderFunction(remotionStack, { config, outputBucket });
const serveUrl = deployRemotionSite(remotionStack);
configureRenderWorker(backend.renderWorker, {
  queues,
  remotionFunction,
  remotionBucket,
  serveUrl,
  outputBucket,
  config,
});

const signerSecret = createVideoUrlSigner(Stack.of(outputBucket), { outputBucket, config });
configureVideoUrlFunction(backend.videoUrl, { jobTable, outputBucket, signerSecret, config });

enableNagChecksWhenAsked(remotionStack);

// The studio refuses videos longer than the render function can finish (amplify_outputs.json custom.render_limits).
backend.addOutput({ custom: { render_limits: toRenderLimitsOutput(renderLimitsOf(config)) } });
