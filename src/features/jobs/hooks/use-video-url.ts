import { useEffect, useState } from 'react';
import type { JobsApi, VideoUrl } from '../api/jobs-api';

/** Fetch a new URL this long before the current one expires. */
const REFRESH_BEFORE_MS = 60_000;
const MIN_REFRESH_MS = 5_000;

/** The finished video's short-lived URL, fetched again shortly before it expires. */
export function useVideoUrl(
  api: JobsApi,
  jobId: string,
): { video: VideoUrl | null; error: string | null } {
  const [video, setVideo] = useState<VideoUrl | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let active = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      try {
        const next = await api.getVideoUrl(jobId);
        if (!active) return;
        setVideo(next);
        setError(null);
        const wait = Math.max(
          MIN_REFRESH_MS,
          Date.parse(next.expiresAt) - Date.now() - REFRESH_BEFORE_MS,
        );
        timer = setTimeout(() => void load(), wait);
      } catch (cause) {
        if (!active) return;
        setError(cause instanceof Error ? cause.message : String(cause));
        timer = setTimeout(() => void load(), MIN_REFRESH_MS * 2);
      }
    };
    void load();
    return () => {
      active = false;
      clearTimeout(timer);
    };
  }, [api, jobId]);
  return { video, error };
}
