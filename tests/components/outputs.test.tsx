// The studio's output choices (format, scale, estimate) and a finished job's outputs on its card (poster, expiry).
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { titleCardSpec } from '../../remotion/compositions/title-card/schema';
import { Studio } from '../../src/features/studio/components/studio';
import { JobsPanel } from '../../src/features/jobs/components/jobs-panel';
import { useJobs } from '../../src/features/jobs/hooks/use-jobs';
import type { CompositionComponents } from '../../src/lib/composition';
import { estimateRender } from '../../contract/output-estimate';
import { formatEstimate } from '../../src/lib/render-estimate';
import { FakeJobsApi, makeJob } from './fake-jobs-api';

const components: Promise<CompositionComponents> = Promise.resolve({
  'title-card': () => <div data-testid="composition" />,
});

const renderStudio = () => {
  const onRender = vi.fn(async () => {});
  render(
    <Studio
      compositions={[titleCardSpec]}
      components={components}
      onRender={onRender}
      renderTarget="local"
    />,
  );
  return { onRender };
};

const formatBox = () => screen.getByRole('combobox', { name: 'Format' });
const scaleBox = () => screen.getByRole('combobox', { name: 'Scale' });
const renderButton = () => screen.getByRole('button', { name: 'Render' });

beforeEach(() => localStorage.clear());

describe('output choices before Render', () => {
  it('refuses a GIF at 2× (2560×1440) with the reason, and disables Render', async () => {
    renderStudio();
    await userEvent.selectOptions(formatBox(), 'gif');
    await userEvent.selectOptions(scaleBox(), '2');

    expect(screen.getByRole('alert')).toHaveTextContent(
      'A GIF may be at most 1280×720 pixels a frame, but 2× makes it 2560×1440.',
    );
    expect(renderButton()).toBeDisabled();
    expect(screen.queryByTestId('render-estimate')).toBeNull();
  });

  it('shows the estimate of WebM at 2× and sends the choice with the render', async () => {
    const { onRender } = renderStudio();
    await userEvent.selectOptions(formatBox(), 'webm');
    await userEvent.selectOptions(scaleBox(), '2');

    const expected = estimateRender({
      frames: titleCardSpec.durationInFrames,
      width: titleCardSpec.width,
      height: titleCardSpec.height,
      choice: { outputFormat: 'webm', scale: 2 },
      target: 'local',
    });
    expect(screen.getByTestId('render-estimate')).toHaveTextContent(
      `Estimate: ${formatEstimate(expected)}`,
    );
    await userEvent.click(renderButton());
    expect(onRender).toHaveBeenCalledWith(
      expect.objectContaining({ output: { outputFormat: 'webm', scale: 2 } }),
    );
  });
});

function Harness({ api }: { api: FakeJobsApi }) {
  const jobs = useJobs(api);
  return (
    <JobsPanel
      api={api}
      jobs={jobs}
      compositionNames={{ 'title-card': 'Title card' }}
      estimateOf={() => ({ seconds: 12, costUsd: null })}
    />
  );
}

describe('a finished job on its card', () => {
  it('plays the WebM with its poster, and shows the estimate beside the time it took and when it expires', async () => {
    const api = new FakeJobsApi();
    api.videoUrl = (jobId) => ({
      url: `https://videos.test/${jobId}.webm`,
      posterUrl: `https://videos.test/${jobId}.poster.jpeg`,
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    api.jobs.push(
      makeJob({
        title: 'Done',
        status: 'SUCCEEDED',
        outputFormat: 'webm',
        scale: 2,
        startedAt: '2026-11-23T10:00:00.000Z',
        finishedAt: '2026-11-23T10:00:14.000Z',
        expiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      }),
    );
    render(<Harness api={api} />);

    const card = await screen.findByRole('article', { name: /^Done,/ });
    const video = await within(card).findByLabelText('Rendered video: Done');
    expect(video).toHaveAttribute('poster', expect.stringMatching(/\.poster\.jpeg$/));
    expect(video).toHaveAttribute('src', expect.stringMatching(/\.webm$/));
    expect(within(card).getByTestId('job-estimate')).toHaveTextContent('about 12 s');
    expect(within(card).getByTestId('job-actual-time')).toHaveTextContent('14');
    expect(within(card).getByText('Expires')).toBeInTheDocument();
    expect(within(card).getByRole('link', { name: 'Download WebM' })).toBeInTheDocument();
    expect(within(card).getByText(/WebM \(VP9\) at 2×/)).toBeInTheDocument();
  });

  it('says an expired job expired and offers Render again, never a player', async () => {
    const api = new FakeJobsApi();
    api.jobs.push(
      makeJob({
        title: 'Old',
        status: 'SUCCEEDED',
        finishedAt: '2026-01-01T10:00:00.000Z',
        expiresAt: '2026-01-31T10:00:00.000Z',
      }),
    );
    render(<Harness api={api} />);

    const card = await screen.findByRole('article', { name: /^Old,/ });
    expect(within(card).getByRole('status')).toHaveTextContent(/expired and were deleted/);
    expect(within(card).getByText('Expired')).toBeInTheDocument();
    expect(within(card).queryByLabelText(/Rendered video/)).toBeNull();
    await waitFor(() => expect(api.videoUrlCalls).toEqual([]));
    await userEvent.click(within(card).getByRole('button', { name: 'Render again' }));
    expect(api.created).toHaveLength(1);
  });
});
