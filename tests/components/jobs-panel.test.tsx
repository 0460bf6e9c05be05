import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Job } from '../../src/features/jobs/api/jobs-api';
import { JobsPanel } from '../../src/features/jobs/components/jobs-panel';
import { useJobs } from '../../src/features/jobs/hooks/use-jobs';
import { FakeJobsApi, makeJob } from './fake-jobs-api';

function Harness({ api }: { api: FakeJobsApi }) {
  const jobs = useJobs(api);
  return <JobsPanel api={api} jobs={jobs} compositionNames={{ 'title-card': 'Title card' }} />;
}

async function renderPanel(...jobs: Job[]) {
  const api = new FakeJobsApi();
  api.jobs.push(...jobs);
  render(<Harness api={api} />);
  await waitFor(() => expect(screen.queryByText(/Loading your renders/)).toBeNull());
  return api;
}

const cardOf = (title: string) => screen.getByRole('article', { name: new RegExp(`^${title},`) });

describe('JobsPanel', () => {
  it('says so when there are no renders yet', async () => {
    await renderPanel();
    expect(screen.getByText(/No renders yet/)).toBeInTheDocument();
  });

  it('shows a queued job waiting, with Cancel', async () => {
    await renderPanel(makeJob({ title: 'Queued one', status: 'QUEUED' }));
    const card = cardOf('Queued one');
    expect(within(card).getByTestId('job-status')).toHaveTextContent('Queued');
    expect(within(card).getByText('Waiting for a renderer…')).toBeInTheDocument();
    expect(within(card).getByRole('button', { name: 'Cancel' })).toBeEnabled();
  });

  it('shows a rendering job with percent, frames, time left, elapsed and cost', async () => {
    const startedAt = new Date(Date.now() - 65_000).toISOString();
    await renderPanel(
      makeJob({
        title: 'Busy',
        status: 'RENDERING',
        progress: 0.42,
        renderedFrames: 63,
        totalFrames: 150,
        etaSeconds: 12,
        costUsd: 0.00123,
        startedAt,
      }),
    );
    const card = cardOf('Busy');
    expect(within(card).getByRole('progressbar')).toHaveAttribute('aria-valuenow', '42');
    expect(within(card).getByText('42%')).toBeInTheDocument();
    expect(within(card).getByText('frame 63 of 150')).toBeInTheDocument();
    expect(within(card).getByText('12 s left')).toBeInTheDocument();
    expect(within(card).getByText(/^1 min 0[5-7] s$/)).toBeInTheDocument();
    expect(within(card).getByText('Cost so far')).toBeInTheDocument();
    expect(within(card).getByText('$0.0012')).toBeInTheDocument();
    expect(within(card).getByRole('button', { name: 'Cancel' })).toBeEnabled();
  });

  it('shows a finished job with its video and a Download link', async () => {
    const api = await renderPanel(
      makeJob({
        title: 'Done one',
        status: 'SUCCEEDED',
        progress: 1,
        startedAt: '2026-11-23T10:00:00.000Z',
        finishedAt: '2026-11-23T10:00:14.000Z',
        outputSizeBytes: 2_097_152,
        costUsd: 0.0042,
      }),
    );
    const card = cardOf('Done one');
    const video = await within(card).findByLabelText('Rendered video: Done one');
    expect(video).toHaveAttribute('src', `https://videos.test/${api.jobs[0]!.id}.mp4`);
    expect(within(card).getByRole('link', { name: 'Download MP4' })).toHaveAttribute(
      'href',
      `https://videos.test/${api.jobs[0]!.id}.mp4`,
    );
    expect(within(card).getByText('Took')).toBeInTheDocument();
    expect(within(card).getByText('14 s')).toBeInTheDocument();
    expect(within(card).getByText('2.0 MB')).toBeInTheDocument();
    expect(within(card).queryByRole('button', { name: 'Cancel' })).toBeNull();
  });

  it('shows why a job failed, in the words the worker wrote', async () => {
    await renderPanel(
      makeJob({
        title: 'Broken',
        status: 'FAILED',
        errorMessage: 'title: Too small: expected string to have >=1 characters',
      }),
    );
    const card = cardOf('Broken');
    expect(within(card).getByTestId('job-status')).toHaveTextContent('Failed');
    expect(
      within(card).getByText('title: Too small: expected string to have >=1 characters'),
    ).toBeInTheDocument();
    expect(within(card).queryByRole('button', { name: 'Cancel' })).toBeNull();
  });

  it('shows a cancelled job without Cancel', async () => {
    await renderPanel(makeJob({ title: 'Stopped', status: 'CANCELLED' }));
    const card = cardOf('Stopped');
    expect(within(card).getByTestId('job-status')).toHaveTextContent('Cancelled');
    expect(within(card).queryByRole('button', { name: 'Cancel' })).toBeNull();
    expect(within(card).getByRole('button', { name: 'Render again' })).toBeEnabled();
  });

  it('asks to cancel a rendering job and shows it as cancelling', async () => {
    const api = await renderPanel(makeJob({ title: 'Long', status: 'RENDERING', progress: 0.1 }));
    await userEvent.click(within(cardOf('Long')).getByRole('button', { name: 'Cancel' }));
    expect(api.cancelled).toEqual([api.jobs[0]!.id]);
    await waitFor(() =>
      expect(within(cardOf('Long')).getByTestId('job-status')).toHaveTextContent('Cancelling…'),
    );
    expect(within(cardOf('Long')).getByRole('button', { name: 'Cancel' })).toBeDisabled();
  });

  it('deletes a job only after the confirmation, and a late event does not bring it back', async () => {
    const job = makeJob({ title: 'Old', status: 'SUCCEEDED' });
    const api = await renderPanel(job);
    await userEvent.click(within(cardOf('Old')).getByRole('button', { name: 'Delete…' }));
    expect(within(cardOf('Old')).getByRole('alert')).toHaveTextContent(
      'Delete this job, its video and its poster? This cannot be undone.',
    );
    await userEvent.click(within(cardOf('Old')).getByRole('button', { name: 'Keep' }));
    expect(api.removed).toEqual([]);
    await userEvent.click(within(cardOf('Old')).getByRole('button', { name: 'Delete…' }));
    await userEvent.click(within(cardOf('Old')).getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(screen.queryByRole('article', { name: /^Old,/ })).toBeNull());
    expect(api.removed).toEqual([job.id]);
    api.push({ ...job, status: 'CANCELLED', updatedAt: new Date().toISOString() });
    expect(screen.queryByRole('article', { name: /^Old,/ })).toBeNull();
  });

  it('keeps the card and says why when a delete is refused', async () => {
    const api = await renderPanel(makeJob({ title: 'Busy', status: 'RENDERING' }));
    api.removeError = new Error('Job x is still stopping its render; nothing was deleted.');
    await userEvent.click(within(cardOf('Busy')).getByRole('button', { name: 'Delete…' }));
    expect(within(cardOf('Busy')).getByRole('alert')).toHaveTextContent(
      'The render is cancelled first.',
    );
    await userEvent.click(within(cardOf('Busy')).getByRole('button', { name: 'Delete' }));
    await waitFor(() =>
      expect(screen.getByText(/Could not delete the job: Job x is still stopping/)).toBeTruthy(),
    );
    expect(within(cardOf('Busy')).getByRole('button', { name: 'Delete…' })).toBeEnabled();
  });

  it('renders again with the same composition and props', async () => {
    const api = await renderPanel(
      makeJob({
        title: 'Again',
        status: 'SUCCEEDED',
        compositionId: 'title-card',
        inputProps: JSON.stringify({ title: 'Again', subtitle: 'x', backgroundColor: '#000000' }),
      }),
    );
    await userEvent.click(within(cardOf('Again')).getByRole('button', { name: 'Render again' }));
    await waitFor(() => expect(api.created).toHaveLength(1));
    expect(api.created[0]).toEqual({
      compositionId: 'title-card',
      inputProps: { title: 'Again', subtitle: 'x', backgroundColor: '#000000' },
      title: 'Again',
    });
    await waitFor(() =>
      expect(screen.getAllByRole('article', { name: /^Again,/ })).toHaveLength(2),
    );
  });

  it('shows Reconnecting… while the realtime connection is down', async () => {
    const api = await renderPanel();
    expect(screen.queryByText('Reconnecting…')).toBeNull();
    api.setConnection('reconnecting');
    expect(await screen.findByText('Reconnecting…')).toBeInTheDocument();
    api.setConnection('connected');
    await waitFor(() => expect(screen.queryByText('Reconnecting…')).toBeNull());
  });

  it('offers a retry when the list cannot be loaded', async () => {
    const api = new FakeJobsApi();
    api.listError = new Error('Network error');
    render(<Harness api={api} />);
    expect(await screen.findByText('Could not load your jobs: Network error')).toBeInTheDocument();
    api.listError = undefined;
    api.jobs.push(makeJob({ title: 'Back' }));
    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('article', { name: /^Back,/ })).toBeInTheDocument();
  });
});
