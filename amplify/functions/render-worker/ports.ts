import type { JobStatus } from '../../data/resource';

/** A render job as the worker sees it (the Job record, server fields included). */
export interface JobRecord {
  id: string;
  owner: string;
  compositionId: string;
  inputProps: unknown;
  title?: string | null;
  /** Missing on a freshly created record: treated as QUEUED. */
  status: JobStatus;
  cancelRequested: boolean;
  renderId?: string | null;
  attempts: number;
  progress?: number | null;
  costUsd?: number | null;
  createdAt?: string | null;
}

/** Progress of one render, as a discriminated union so `output` exists only when done. */
export type RenderProgress =
  | {
      state: 'running';
      /** 0–1 */
      progress: number;
      renderedFrames: number;
      totalFrames: number;
      costUsd: number;
    }
  | {
      state: 'done';
      output: { bucket: string; key: string; sizeBytes: number };
      renderedFrames: number;
      totalFrames: number;
      costUsd: number;
    }
  | { state: 'failed'; message: string; retryable: boolean; costUsd: number };

/** What the worker asks a renderer to do. */
export interface RenderRequest {
  jobId: string;
  owner: string;
  compositionId: string;
  /** Already validated against the composition's zod schema. */
  inputProps: Record<string, unknown>;
}

/** Starts, tracks and cancels renders: Remotion Lambda in the cloud, `renderMedia` locally. */
export interface Renderer {
  start(request: RenderRequest): Promise<{ renderId: string }>;
  getProgress(renderId: string): Promise<RenderProgress>;
  cancel(renderId: string): Promise<void>;
}

/** Time, injectable so tests run instantly. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}
