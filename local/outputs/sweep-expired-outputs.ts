import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { GraphqlTransport } from '../../amplify/functions/render-worker/appsync-job-store';
import type { JobStore } from '../../amplify/functions/render-worker/ports';
import { isExpired } from '../../contract/output-retention';

// Finished jobs, by the status index; the few fields retention needs.
const LIST_SUCCEEDED = `query ListSucceededJobs($limit: Int, $nextToken: String) {
  listJobsByStatusAndCreatedAt(status: SUCCEEDED, limit: $limit, nextToken: $nextToken) {
    items { id renderId outputKey posterKey expiresAt expiredAt } nextToken } }`;

interface SucceededJob {
  id: string;
  renderId?: string | null;
  outputKey?: string | null;
  posterKey?: string | null;
  expiresAt?: string | null;
  expiredAt?: string | null;
}

/**
 * Local mode's half of retention (docs/architecture.md, "Outputs"), what the S3 lifecycle rules do in the cloud:
 * every SUCCEEDED job whose `expiresAt` has passed loses its video, its poster and the local renderer's record of
 * its render, and is stamped `expiredAt` (through AppSync, so the owner's card hears of it). Returns the job ids.
 */
export async function sweepExpiredOutputs({
  send,
  store,
  outputsDir,
  renderStateDir,
  nowMs = Date.now(),
}: {
  send: GraphqlTransport;
  store: JobStore;
  outputsDir: string;
  /** The local renderer's records (`<renderId>.json`), its stand-in for Remotion's render state. */
  renderStateDir: string;
  nowMs?: number;
}): Promise<string[]> {
  const due: SucceededJob[] = [];
  let nextToken: string | null | undefined = null;
  do {
    const data = (await send(LIST_SUCCEEDED, { limit: 1000, nextToken })) as {
      listJobsByStatusAndCreatedAt?: {
        items: (SucceededJob | null)[];
        nextToken?: string | null;
      } | null;
    };
    const page = data.listJobsByStatusAndCreatedAt;
    if (!page) throw new Error('AppSync returned no "listJobsByStatusAndCreatedAt" field');
    for (const job of page.items) if (job && !job.expiredAt && isExpired(job, nowMs)) due.push(job);
    nextToken = page.nextToken;
  } while (nextToken);

  const swept: string[] = [];
  for (const job of due) {
    for (const key of [job.outputKey, job.posterKey])
      if (key) rmSync(join(outputsDir, key), { force: true });
    if (job.renderId && /^[A-Za-z0-9-]+$/.test(job.renderId))
      rmSync(join(renderStateDir, `${job.renderId}.json`), { force: true });
    const written = await store.update(
      job.id,
      { status: 'SUCCEEDED' },
      { expiredAt: new Date(nowMs).toISOString() },
    );
    if (written) swept.push(job.id);
  }
  return swept;
}
