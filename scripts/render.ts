// `npm run render -- <compositionId> --props props.json [--wait] [--out video.mp4]`: a render through the same
// GraphQL API as the studio, signed in as a user whose credentials come from the environment (README, "Scripted renders").
import { createWriteStream } from 'node:fs';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { signIn, signOut } from 'aws-amplify/auth';
import { generateClient } from 'aws-amplify/data';
import { ConsoleLogger } from 'aws-amplify/utils';
import WebSocket from 'ws';
import type { Schema } from '../amplify/data/resource';
import { createAmplifyJobsApi } from '../src/features/jobs/api/amplify-jobs-api';
import { JOB_SELECTION_SET, type Job } from '../src/features/jobs/api/jobs-api';
import { configureAmplify } from '../src/lib/configure-amplify';
import { parseRenderArgs, RENDER_USAGE, UsageError } from './render/parse-render-args';
import { loadOutputs, loadRenderProps, readRenderCredentials } from './render/render-input';
import { EXIT, runRender, type RenderApi } from './render/run-render';

const PROJECT_ROOT = resolve(import.meta.dirname, '..');
// Where `npm start` writes local mode's outputs (local/start.ts): `.local/`, or LOCAL_DATA_DIR.
const localOutputsFile = join(
  resolve(process.env.LOCAL_DATA_DIR ?? join(PROJECT_ROOT, '.local')),
  'amplify_outputs.json',
);

const print = (line: string) => console.log(line);

/** Saves the video at `url` (a short-lived signed URL) to `file`; resolves the bytes written. */
async function download(url: string, file: string): Promise<number> {
  const response = await fetch(url);
  if (!response.ok || !response.body)
    throw new Error(`Downloading the video failed: the URL answered ${response.status}.`);
  let bytes = 0;
  const body = Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>);
  body.on('data', (chunk: Buffer) => (bytes += chunk.length));
  await pipeline(body, createWriteStream(file));
  return bytes;
}

async function main(): Promise<number> {
  let plan;
  let credentials;
  let outputs;
  try {
    const args = parseRenderArgs(process.argv.slice(2));
    outputs = loadOutputs(args.outputsFile ?? localOutputsFile, { local: !args.outputsFile });
    const inputProps = loadRenderProps(args.compositionId, args.propsFile, outputs);
    credentials = readRenderCredentials(process.env);
    plan = {
      compositionId: args.compositionId,
      inputProps,
      title: args.title ?? `${args.compositionId} (scripted)`,
      wait: args.wait,
      ...(args.out ? { out: resolve(args.out) } : {}),
    };
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(error.message ? `render: ${error.message}\n\n${RENDER_USAGE}` : RENDER_USAGE);
    return EXIT.usage;
  }

  // Amplify's warnings (e.g. about local mode's Cognito endpoint) are for developers of the studio, not for scripts.
  ConsoleLogger.LOG_LEVEL = 'ERROR';
  // Node 20 has no global WebSocket; the Amplify client needs one for the subscription.
  (globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;
  const { authFlow } = configureAmplify(outputs);
  try {
    const { nextStep } = await signIn({
      username: credentials.username,
      password: credentials.password,
      options: { authFlowType: authFlow },
    });
    if (nextStep.signInStep !== 'DONE')
      throw new Error(
        `Signing in needs another step (${nextStep.signInStep}): finish it once in the studio, then run this again.`,
      );
  } catch (error) {
    console.error(
      `render: signing in as ${credentials.username} failed: ${error instanceof Error ? error.message : String(error)}`,
    );
    return EXIT.apiError;
  }

  const client = generateClient<Schema>();
  const api: RenderApi = {
    ...createAmplifyJobsApi(client),
    async getJob(jobId) {
      const { data, errors } = await client.models.Job.get(
        { id: jobId },
        { selectionSet: JOB_SELECTION_SET },
      );
      if (errors?.length) throw new Error(errors.map((error) => error.message).join('; '));
      return data as Job | null;
    },
  };
  // `on`, not `once`: a second Ctrl-C while leaving must not kill the process halfway through its goodbye.
  const interrupted = new Promise<void>((resolveInterrupt) =>
    process.on('SIGINT', () => resolveInterrupt()),
  );
  try {
    return await runRender(plan, { api, download, print, interrupted });
  } catch (error) {
    console.error(`render: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT.apiError;
  } finally {
    await signOut().catch(() => undefined);
  }
}

// The Amplify client keeps sockets and timers open: leave explicitly with the outcome.
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(
      `render: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    process.exit(EXIT.apiError);
  },
);
