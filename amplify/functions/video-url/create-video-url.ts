// The plain core of `getJobVideoUrl`: no AWS imports, so local mode runs it with a local signer.
import { ownerSubOf } from '../../../contract/job-contract';
import { isExpired } from '../../../contract/output-retention';

/** The smallest lifetime a video URL is promised to have. */
export const MIN_VIDEO_URL_LIFETIME_SECONDS = 3600;

/** What the core needs to know about a job. */
export interface VideoUrlJob {
  id: string;
  /** Amplify Gen 2 owner field: `<sub>::<username>`. */
  owner: string;
  status: string;
  outputKey?: string | null;
  /** The poster beside the output, when the render made one. */
  posterKey?: string | null;
  /** When the outputs expire (retention), and when local mode's sweep removed them. */
  expiresAt?: string | null;
  expiredAt?: string | null;
}

/** The signed-in caller, as the resolver event's Cognito identity names them. */
export interface VideoUrlCaller {
  sub: string;
}

/** A playable URL and when it stops working (ISO 8601). */
export interface VideoUrl {
  url: string;
  expiresAt: string;
  /** The job's poster, signed alike; absent when the render made none. */
  posterUrl?: string;
}

/** The core's collaborators. */
export interface VideoUrlPorts {
  loadJob: (jobId: string) => Promise<VideoUrlJob | undefined>;
  /** Signs a GET for `key` valid until `expiresAt`; the credentials behind it must outlive it. */
  signUrl: (request: { key: string; expiresAt: Date }) => Promise<string>;
  now: () => Date;
  /** How long URLs live; at least an hour. Defaults to two hours. */
  lifetimeSeconds?: number;
}

/** Why no URL was given; `code` lets adapters map it to their own error shape. */
export class VideoUrlError extends Error {
  constructor(
    readonly code: 'NOT_FOUND' | 'NOT_READY' | 'EXPIRED' | 'INVALID_REQUEST',
    message: string,
  ) {
    super(message);
    this.name = 'VideoUrlError';
  }
}

/**
 * Returns a URL for the finished video of `jobId` if, and only if, `caller` owns that job and it
 * SUCCEEDED. Someone else's job is reported exactly like a missing one, so ids cannot be probed.
 */
export const createVideoUrl = async (
  { jobId, caller }: { jobId: string; caller: VideoUrlCaller | undefined },
  { loadJob, signUrl, now, lifetimeSeconds = 2 * 3600 }: VideoUrlPorts,
): Promise<VideoUrl> => {
  if (!caller?.sub) {
    throw new VideoUrlError('INVALID_REQUEST', 'A signed-in user is required to get a video URL.');
  }
  if (!jobId.trim()) {
    throw new VideoUrlError('INVALID_REQUEST', 'jobId must be a job id, but got an empty string.');
  }
  if (lifetimeSeconds < MIN_VIDEO_URL_LIFETIME_SECONDS) {
    throw new Error(
      `Video URLs must live at least ${MIN_VIDEO_URL_LIFETIME_SECONDS} s, but the lifetime is ${lifetimeSeconds} s.`,
    );
  }
  const job = await loadJob(jobId);
  if (!job || ownerSubOf(job.owner) !== caller.sub) {
    throw new VideoUrlError('NOT_FOUND', `You have no job with id ${JSON.stringify(jobId)}.`);
  }
  if (job.status !== 'SUCCEEDED' || !job.outputKey) {
    throw new VideoUrlError(
      'NOT_READY',
      `Job ${jobId} has no video yet: its status is ${job.status}. A URL exists once it has SUCCEEDED.`,
    );
  }
  // Never a URL of an object the retention has removed or is about to: the studio offers Render again instead.
  if (isExpired(job, now().getTime())) {
    throw new VideoUrlError(
      'EXPIRED',
      `The outputs of job ${jobId} expired on ${job.expiredAt ?? job.expiresAt} and were deleted. Render it again.`,
    );
  }
  const expiresAt = new Date(now().getTime() + lifetimeSeconds * 1000);
  const url = await signUrl({ key: job.outputKey, expiresAt });
  const posterUrl = job.posterKey ? await signUrl({ key: job.posterKey, expiresAt }) : undefined;
  return { url, expiresAt: expiresAt.toISOString(), ...(posterUrl ? { posterUrl } : {}) };
};
