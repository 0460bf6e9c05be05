/** How long finished outputs are kept (docs/architecture.md, "Outputs"): one number every layer agrees on. */

/** Days a finished job's video, poster and render state are kept unless `OUTPUT_RETENTION_DAYS` says otherwise. */
export const DEFAULT_RETENTION_DAYS = 30;
/** S3 lifecycle expiration counts whole days; more than ten years is surely a typo. */
export const MAX_RETENTION_DAYS = 3650;

const DAY_MS = 24 * 3600 * 1000;

/** When outputs finished at `finishedAt` (ISO) expire, ISO. */
export const expiresAtOf = (finishedAt: string, retentionDays: number): string =>
  new Date(Date.parse(finishedAt) + retentionDays * DAY_MS).toISOString();

/** True once a job's outputs are gone or due to go. */
export const isExpired = (
  job: { expiresAt?: string | null; expiredAt?: string | null },
  nowMs: number,
): boolean =>
  Boolean(job.expiredAt) || (job.expiresAt != null && Date.parse(job.expiresAt) <= nowMs);
