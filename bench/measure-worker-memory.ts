import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { DEFAULT_SPEND_BUDGETS } from '../contract/spend-budget';
import type { WorkerEnvironmentVariables } from '../amplify/functions/render-worker/worker-config';
import { spendEnvironmentOf, type SpendEnvironment } from '../amplify/render-pipeline/spend-config';
import { summarizeStderr } from './child-stderr';

/** What one measurement of the cloud worker's memory found. */
export interface WorkerMemoryMeasurement {
  /** Peak resident set of the process (the figure Lambda reports as "Max Memory Used"), MB. */
  peakRssMb: number;
  /** Heap in use after the deliveries, MB. */
  heapUsedMb: number;
  /** Size of the bundle Lambda would load, KB. */
  bundleKb: number;
  deliveries: number;
  /** Job reads the handler sent to DynamoDB (each answered by the stand-in: no such job). */
  jobReads: number;
}

const GRAPHQL_PATH = '/graphql';

const readBody = async (request: IncomingMessage): Promise<string> => {
  const parts: Buffer[] = [];
  for await (const part of request) parts.push(part as Buffer);
  return Buffer.concat(parts).toString('utf8');
};

/**
 * What the backend sets on the render worker (`renderWorkerEnvironmentOf` and `configureWorkerSpend`), typed by the
 * worker's own schemas so a variable the worker comes to read fails to compile here rather than at the bench's run.
 * Names and URLs are placeholders: with every job gone, nothing the worker calls reaches Remotion, the webhook
 * secret or the ledger table.
 */
type DeployedWorkerEnvironment = WorkerEnvironmentVariables &
  SpendEnvironment & { SPEND_LEDGER_TABLE_NAME: string };

const workerEnvironment = (endpoint: string): DeployedWorkerEnvironment => ({
  RENDER_CAP: '8',
  MAX_ACTIVE_JOBS_PER_USER: '3',
  MAX_RECEIVE_COUNT: '3',
  REMOTION_FUNCTION_NAME: 'remotion-render-4-0-0-mem2048mb-disk2048mb-900sec',
  REMOTION_SERVE_URL:
    'https://bench-bucket.s3.us-east-1.amazonaws.com/sites/render-studio/index.html',
  REMOTION_REGION: 'us-east-1',
  REMOTION_BUCKET_NAME: 'bench-bucket',
  OUTPUT_BUCKET_NAME: 'bench-bucket',
  OUTPUT_PREFIX: 'renders/',
  OUTPUT_RETENTION_DAYS: '30',
  RENDER_QUEUE_URL: `${endpoint}/123456789012/render-queue`,
  RENDER_DLQ_ARN: 'arn:aws:sqs:us-east-1:123456789012:render-dlq',
  WAKE_QUEUE_ARN: 'arn:aws:sqs:us-east-1:123456789012:render-wake-queue',
  RENDER_DLQ_URL: `${endpoint}/123456789012/render-dlq`,
  JOB_TABLE_NAME: 'Job-bench-NONE',
  RENDER_SLOT_TABLE_NAME: 'RenderSlot-bench-NONE',
  REMOTION_CONCURRENCY_PER_RENDER: '4',
  REMOTION_TIMEOUT_SECONDS: '900',
  REMOTION_WEBHOOK_URL: 'https://remotion-webhook.lambda-url.us-east-1.on.aws/',
  REMOTION_WEBHOOK_SECRET_ARN:
    'arn:aws:secretsmanager:us-east-1:123456789012:secret:remotion-webhook-bench',
  ...spendEnvironmentOf(DEFAULT_SPEND_BUDGETS),
  SPEND_LEDGER_TABLE_NAME: 'SpendLedger-bench-NONE',
});

/**
 * Measures the render worker as Lambda runs it: `amplify/functions/render-worker/handler.ts` bundled with esbuild the
 * way Amplify's `defineFunction` bundles it (ESM, minified, AWS SDK included), loaded in a fresh Node process with
 * the environment the backend gives it, then handed `deliveries` SQS records. Every AWS endpoint points at a
 * stand-in in this process that answers the model-introspection read from S3, every GraphQL request and every
 * DynamoDB read (the job is gone, so each delivery ends with an ack, before any spend-ledger write or Remotion call). What this leaves out is
 * the render's own working set in the worker: one job record and one progress object at a time, kilobytes against
 * the megabytes measured here.
 */
export async function measureWorkerMemory(
  projectRoot: string,
  deliveries = 50,
): Promise<WorkerMemoryMeasurement> {
  const workDir = mkdtempSync(join(tmpdir(), 'bench-worker-memory-'));
  let jobReads = 0;
  const server = createServer((request, response) => {
    void readBody(request).then((body) => {
      response.setHeader('content-type', 'application/json');
      // The worker's first step, reading the job from the Job table: there is none.
      if (request.headers['x-amz-target'] === 'DynamoDB_20120810.GetItem') {
        jobReads += 1;
        response.setHeader('content-type', 'application/x-amz-json-1.0');
        response.end('{}');
        return;
      }
      if (request.method === 'POST' && request.url === GRAPHQL_PATH) {
        // Any query: "no such job"; the worker acks a message whose job is gone.
        const field = /(?:query|mutation)\s+\w*[^{]*\{\s*(\w+)/.exec(
          (JSON.parse(body) as { query: string }).query,
        )?.[1];
        response.end(JSON.stringify({ data: field ? { [field]: null } : {} }));
        return;
      }
      // The model introspection schema the data client reads from S3 at cold start.
      response.end('{}');
    });
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const bundle = join(workDir, 'handler.mjs');
    await build({
      entryPoints: [join(projectRoot, 'amplify/functions/render-worker/handler.ts')],
      outfile: bundle,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      minify: true,
      logLevel: 'error',
      banner: {
        js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      },
    });
    const driver = join(workDir, 'drive.mjs');
    writeFileSync(
      driver,
      [
        `const { handler } = await import(${JSON.stringify(bundle)});`,
        `const record = (i) => ({ messageId: 'm' + i, receiptHandle: 'r' + i, body: JSON.stringify({ jobId: 'bench-memory-' + i }),`,
        `  attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(Date.now()), SenderId: 'x', ApproximateFirstReceiveTimestamp: String(Date.now()) },`,
        `  messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:render-queue', awsRegion: 'us-east-1' });`,
        `const context = { functionName: 'render-worker', awsRequestId: 'bench', getRemainingTimeInMillis: () => 900000 };`,
        `for (let i = 0; i < Number(process.argv[2]); i += 1) await handler({ Records: [record(i)] }, { ...context, awsRequestId: 'bench-' + i });`,
        `const usage = process.memoryUsage();`,
        // Linux carries the parent's resident set into a spawned child's maxRSS (fork copies it, exec keeps the
        // high-water mark): VmHWM is this process's own peak since exec. Elsewhere maxRSS is all there is.
        `const status = await import('node:fs').then((fs) => fs.readFileSync('/proc/self/status', 'utf8')).catch(() => '');`,
        `const hwmKb = Number(/VmHWM:\\s+(\\d+)\\s+kB/.exec(status)?.[1] ?? NaN);`,
        `const peakKb = Number.isFinite(hwmKb) ? hwmKb : process.resourceUsage().maxRSS;`,
        `process.stderr.write('\\n@@' + JSON.stringify({ maxRssKb: peakKb, heapUsed: usage.heapUsed }) + '\\n');`,
      ].join('\n'),
    );
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
      AWS_ENDPOINT_URL: endpoint,
      AWS_LAMBDA_FUNCTION_NAME: 'render-worker',
      AMPLIFY_DATA_DEFAULT_NAME: 'amplifyData',
      AMPLIFY_DATA_MODEL_INTROSPECTION_SCHEMA_BUCKET_NAME: 'bench-bucket',
      AMPLIFY_DATA_MODEL_INTROSPECTION_SCHEMA_KEY: 'modelIntrospectionSchema.json',
      AMPLIFY_DATA_GRAPHQL_ENDPOINT: `${endpoint}${GRAPHQL_PATH}`,
      POWERTOOLS_METRICS_NAMESPACE: 'RenderStudio',
      ...workerEnvironment(endpoint),
    };
    const output = await new Promise<string>((done, fail) => {
      const child = spawn(process.execPath, [driver, String(deliveries)], { env, cwd: workDir });
      let stderr = '';
      child.stdout.resume();
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      child.on('error', fail);
      child.on('close', (code) =>
        code === 0
          ? done(stderr)
          : fail(
              new Error(
                `the worker process exited ${code}: ${summarizeStderr(stderr) || '(nothing on stderr)'}`,
              ),
            ),
      );
    });
    const line = output.split('\n').find((text) => text.startsWith('@@'));
    if (!line)
      throw new Error(
        `the worker process printed no measurement: ${summarizeStderr(output) || '(nothing on stderr)'}`,
      );
    const measured = JSON.parse(line.slice(2)) as { maxRssKb: number; heapUsed: number };
    if (jobReads < deliveries)
      throw new Error(
        `the handler read ${jobReads} jobs for ${deliveries} deliveries: it did not reach the store`,
      );
    return {
      peakRssMb: Math.round(measured.maxRssKb / 102.4) / 10,
      heapUsedMb: Math.round(measured.heapUsed / 1024 / 102.4) / 10,
      bundleKb: Math.round(statSync(bundle).size / 1024),
      deliveries,
      jobReads,
    };
  } finally {
    server.close();
    rmSync(workDir, { recursive: true, force: true });
  }
}
