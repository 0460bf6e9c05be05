import { act, renderHook, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useVideoUrl } from '../../src/features/jobs/hooks/use-video-url';
import { FakeJobsApi } from './fake-jobs-api';

afterEach(() => vi.useRealTimers());

describe('useVideoUrl', () => {
  it('fetches a new URL a minute before the current one expires, and stops on unmount', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const api = new FakeJobsApi();
    let issued = 0;
    api.videoUrl = (jobId) => ({
      url: `https://videos.test/${jobId}.mp4?v=${++issued}`,
      expiresAt: new Date(Date.now() + 90_000).toISOString(),
    });
    const { result, unmount } = renderHook(() => useVideoUrl(api, 'job-1'));
    await waitFor(() =>
      expect(result.current.video?.url).toBe('https://videos.test/job-1.mp4?v=1'),
    );

    await act(async () => await vi.advanceTimersByTimeAsync(20_000)); // 90 s − 60 s margin = 30 s
    expect(api.videoUrlCalls).toHaveLength(1);
    await act(async () => await vi.advanceTimersByTimeAsync(15_000));
    expect(api.videoUrlCalls).toHaveLength(2);
    expect(result.current.video?.url).toBe('https://videos.test/job-1.mp4?v=2');

    unmount();
    await act(async () => await vi.advanceTimersByTimeAsync(120_000));
    expect(api.videoUrlCalls).toHaveLength(2);
  });

  it('reports why the URL could not be had', async () => {
    const api = new FakeJobsApi();
    api.videoUrl = () => {
      throw new Error('Getting the video URL failed: Not Authorized');
    };
    const { result } = renderHook(() => useVideoUrl(api, 'job-1'));
    await waitFor(() =>
      expect(result.current.error).toBe('Getting the video URL failed: Not Authorized'),
    );
    expect(result.current.video).toBeNull();
  });
});
