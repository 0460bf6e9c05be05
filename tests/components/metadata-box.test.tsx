// The Metadata box of the Render and Batch forms: refused with the server's own words (invalid JSON, over 2 KB),
// sent with the job or batch when valid, and kept by Render again.
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { titleCardSpec } from '../../remotion/compositions/title-card/schema';
import { BatchPanel } from '../../src/features/batch/components/batch-panel';
import { JobsPanel } from '../../src/features/jobs/components/jobs-panel';
import { useJobs } from '../../src/features/jobs/hooks/use-jobs';
import { Studio } from '../../src/features/studio/components/studio';
import type { CompositionComponents } from '../../src/lib/composition';
import { readSchemaFields } from '../../src/lib/read-schema-fields';
import { FakeBatchesApi } from './fake-batches-api';
import { FakeJobsApi, makeJob } from './fake-jobs-api';

const components: Promise<CompositionComponents> = Promise.resolve({
  'title-card': () => <div data-testid="composition" />,
});
const metadataBox = () => screen.getByLabelText('Metadata (JSON, optional)');
const type = (text: string) => fireEvent.change(metadataBox(), { target: { value: text } });

beforeEach(() => localStorage.clear());

describe('the Metadata box', () => {
  it('refuses invalid JSON and more than 2 KB in the Render form, and sends a valid object with the render', async () => {
    const onRender = vi.fn(async () => {});
    render(
      <Studio
        compositions={[titleCardSpec]}
        components={components}
        onRender={onRender}
        renderTarget="local"
      />,
    );
    const renderButton = screen.getByRole('button', { name: 'Render' });

    type('{"orderId": 42');
    expect(screen.getByRole('alert')).toHaveTextContent(
      /metadata must be valid JSON, but got a parse error/,
    );
    expect(renderButton).toBeDisabled();
    type(JSON.stringify({ notes: 'x'.repeat(2100) }));
    expect(screen.getByRole('alert')).toHaveTextContent(
      /metadata must be at most 2048 bytes of JSON, but got 2112 bytes/,
    );
    expect(renderButton).toBeDisabled();
    type('[1, 2]');
    expect(screen.getByRole('alert')).toHaveTextContent(/must be a JSON object.*but got an array/);

    type('{"orderId": "42"}');
    expect(screen.queryByRole('alert')).toBeNull();
    await userEvent.click(renderButton);
    expect(onRender).toHaveBeenCalledWith(
      expect.objectContaining({ compositionId: 'title-card', metadata: { orderId: '42' } }),
    );
  });

  it('sends no metadata when the box is empty', async () => {
    const onRender = vi.fn(async () => {});
    render(<Studio compositions={[titleCardSpec]} components={components} onRender={onRender} />);
    await userEvent.click(screen.getByRole('button', { name: 'Render' }));
    expect(onRender).toHaveBeenCalledWith(expect.objectContaining({ metadata: null }));
  });

  it('Render again keeps the original metadata', async () => {
    function Harness({ api }: { api: FakeJobsApi }) {
      const jobs = useJobs(api);
      return <JobsPanel api={api} jobs={jobs} compositionNames={{ 'title-card': 'Title card' }} />;
    }
    const api = new FakeJobsApi();
    api.jobs.push(
      makeJob({
        title: 'Tagged',
        status: 'SUCCEEDED',
        inputProps: JSON.stringify({ title: 'Tagged' }),
        metadata: JSON.stringify({ orderId: '42', tags: ['a'] }),
      }),
    );
    render(<Harness api={api} />);
    const card = await screen.findByRole('article', { name: /^Tagged,/ });
    await userEvent.click(within(card).getByRole('button', { name: 'Render again' }));
    await waitFor(() => expect(api.created).toHaveLength(1));
    expect(api.created[0]).toMatchObject({ metadata: { orderId: '42', tags: ['a'] } });
  });

  it('refuses invalid metadata in the Batch form, and sends a valid object with createBatch', async () => {
    const api = new FakeBatchesApi();
    render(
      <BatchPanel
        composition={titleCardSpec}
        fields={readSchemaFields(titleCardSpec.schema)}
        formProps={{ ...titleCardSpec.defaultProps }}
        onPreview={vi.fn()}
        api={api}
        onSubmitted={vi.fn()}
      />,
    );
    fireEvent.change(screen.getByLabelText('…or paste rows'), {
      target: { value: 'title\nAlice\nBob' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Use pasted rows' }));
    const submit = screen.getByRole('button', { name: 'Submit 2 rows' });

    type('not json');
    expect(screen.getByRole('alert')).toHaveTextContent(/metadata must be valid JSON/);
    expect(submit).toBeDisabled();

    type('{"campaign": "spring"}');
    expect(submit).toBeEnabled();
    await userEvent.click(submit);
    await waitFor(() => expect(api.createCalls).toHaveLength(1));
    expect(api.createCalls[0]).toMatchObject({ metadata: { campaign: 'spring' } });
  });
});
