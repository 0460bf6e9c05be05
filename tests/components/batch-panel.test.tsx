import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { titleCardSpec } from '../../remotion/compositions/title-card/schema';
import { BatchPanel } from '../../src/features/batch/components/batch-panel';
import { BatchRefusedError } from '../../src/features/batch/submit/submit-batch';
import { readSchemaFields } from '../../src/lib/read-schema-fields';
import { FakeBatchesApi } from './fake-batches-api';

const fields = readSchemaFields(titleCardSpec.schema);
const LONG = 'x'.repeat(81);
const CSV = [
  'title,Background colour,subtitle,notes',
  'Alice,#112233,Hi,a',
  'Bob,#223344,Hey,b',
  `${LONG},#334455,Yo,c`,
  'Dana,#445566,"Two, parts",d',
  'Eve,#556677,Bye,e',
].join('\n');

function setup(api = new FakeBatchesApi()) {
  const onPreview = vi.fn();
  const onSubmitted = vi.fn();
  const formProps = { ...titleCardSpec.defaultProps, textColor: '#fefefe' };
  render(
    <BatchPanel
      composition={titleCardSpec}
      fields={fields}
      formProps={formProps}
      onPreview={onPreview}
      api={api}
      onSubmitted={onSubmitted}
    />,
  );
  const paste = (text: string) => {
    fireEvent.change(screen.getByLabelText('…or paste rows'), { target: { value: text } });
    fireEvent.click(screen.getByRole('button', { name: 'Use pasted rows' }));
  };
  return { api, onPreview, onSubmitted, paste, user: userEvent.setup() };
}

describe('BatchPanel', () => {
  it('auto-maps matching columns, leaves the rest to the form, and names ignored columns', () => {
    const { paste } = setup();
    paste(CSV);
    expect(screen.getByLabelText('Column for Title')).toHaveValue('title');
    expect(screen.getByLabelText('Column for Background colour')).toHaveValue('Background colour');
    expect(screen.getByLabelText('Column for Subtitle')).toHaveValue('subtitle');
    expect(screen.getByLabelText('Column for Text colour')).toHaveValue('');
    expect(screen.getByText(/every row: “#fefefe”/)).toBeInTheDocument();
    expect(screen.getByText('Ignored columns: notes')).toBeInTheDocument();
  });

  it('lists the invalid row with its number, field and message, and submits only when skipped', async () => {
    const { api, paste, user, onSubmitted } = setup();
    paste(CSV);
    expect(screen.getByRole('status')).toHaveTextContent('5 rows, 4 valid, 1 invalid');
    const invalid = screen.getByRole('alert', { name: 'Invalid rows' });
    expect(within(invalid).getAllByRole('listitem')).toHaveLength(1);
    expect(within(invalid).getByRole('listitem').textContent).toMatch(/^row 3, `title`: .*80.*81/);
    const submit = screen.getByRole('button', { name: 'Submit 4 rows' });
    expect(submit).toBeDisabled();

    await user.click(screen.getByRole('checkbox', { name: /Skip 1 invalid row/ }));
    expect(submit).toBeEnabled();
    await user.click(submit);

    await waitFor(() => expect(onSubmitted).toHaveBeenCalledTimes(1));
    expect(api.createCalls).toHaveLength(1);
    expect(api.createCalls[0]).toMatchObject({ compositionId: 'title-card', rowCount: 4 });
    expect(api.addCalls).toEqual([{ batchId: expect.any(String), firstRowIndex: 0, count: 4 }]);
    const sent = [...api.rows.values()][0]!;
    expect(sent.get(2)).toEqual({
      title: 'Dana',
      subtitle: 'Two, parts',
      backgroundColor: '#445566',
      textColor: '#fefefe',
    });
    expect(screen.getByText('Batch submitted: 4 renders queued.')).toBeInTheDocument();
  });

  it('a fixed file (or a mapping change) makes every row valid and Submit needs no skip', async () => {
    const { paste, user } = setup();
    paste(CSV.replace(LONG, 'Carol'));
    expect(screen.queryByRole('alert', { name: 'Invalid rows' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Submit 5 rows' })).toBeEnabled();

    paste(CSV);
    expect(screen.getByRole('button', { name: 'Submit 4 rows' })).toBeDisabled();
    // Title from the form instead of the column: every row takes the (valid) form title.
    await user.selectOptions(screen.getByLabelText('Column for Title'), '');
    expect(screen.getByRole('button', { name: 'Submit 5 rows' })).toBeEnabled();
  });

  it('previews a chosen row in the Player', async () => {
    const { paste, user, onPreview } = setup();
    paste(CSV);
    const rowBox = screen.getByRole('spinbutton', { name: 'Preview row' });
    fireEvent.change(rowBox, { target: { value: '2' } });
    await user.click(screen.getByRole('button', { name: 'Preview' }));
    expect(onPreview).toHaveBeenLastCalledWith(expect.objectContaining({ title: 'Bob' }), 'row 2');
    fireEvent.change(rowBox, { target: { value: '3' } });
    expect(screen.getByRole('button', { name: 'Preview' })).toBeDisabled();
  });

  it('shows why a file cannot be read', () => {
    const { paste } = setup();
    paste('[{"title": 1}, 2]');
    expect(screen.getByRole('alert')).toHaveTextContent(
      'A JSON batch must be an array of objects, but item 2 is number.',
    );
  });

  it('retries a network error with the same token and rows; Try again resumes without a second batch', async () => {
    const api = new FakeBatchesApi();
    api.addFailures = [1, 2, 3].map(() => new TypeError('Failed to fetch'));
    const { paste, user, onSubmitted } = setup(api);
    paste(CSV.replace(LONG, 'Carol'));
    await user.click(screen.getByRole('button', { name: 'Submit 5 rows' }));
    // Three attempts, all failed: the error says so, and the rows were never half-created twice.
    await waitFor(
      () =>
        expect(screen.getByRole('alert')).toHaveTextContent(
          'Could not submit the batch: Failed to fetch',
        ),
      { timeout: 5_000 },
    );
    expect(api.addCalls).toHaveLength(3);
    expect(new Set(api.addCalls.map((call) => call.firstRowIndex))).toEqual(new Set([0]));

    await user.click(screen.getByRole('button', { name: 'Try again' }));
    await waitFor(() => expect(onSubmitted).toHaveBeenCalledTimes(1));
    expect(api.createCalls).toHaveLength(1);
    expect(api.batches.size).toBe(1);
    expect([...api.rows.values()][0]!.size).toBe(5);
  });

  it('shows a refusal as it came and offers no Try again (sending it again cannot help)', async () => {
    const api = new FakeBatchesApi();
    api.createBatch = async () => {
      throw new BatchRefusedError(
        'Creating the batch was refused: You have 19,998 batch rows queued or rendering; 5 more would exceed the limit of 20,000.',
      );
    };
    const { paste, user, onSubmitted } = setup(api);
    paste(CSV.replace(LONG, 'Carol'));
    await user.click(screen.getByRole('button', { name: 'Submit 5 rows' }));
    await waitFor(() =>
      expect(screen.getByRole('alert')).toHaveTextContent(
        'Could not submit the batch: Creating the batch was refused: You have 19,998 batch rows',
      ),
    );
    expect(screen.queryByRole('button', { name: 'Try again' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Submit 5 rows' })).toBeEnabled();
    expect(onSubmitted).not.toHaveBeenCalled();
  });

  it('downloads a template CSV built from the schema', async () => {
    const createObjectURL = vi.fn((_blob: Blob) => 'blob:template');
    Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() });
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {});
    const { user } = setup();
    await user.click(screen.getByRole('button', { name: 'Download template CSV' }));
    expect(click).toHaveBeenCalledTimes(1);
    const blob = createObjectURL.mock.calls[0]![0];
    const text = await new Promise<string>((done) => {
      const reader = new FileReader();
      reader.onload = () => done(String(reader.result));
      reader.readAsText(blob);
    });
    expect(text.replace(/^\ufeff/, '').split('\r\n')[0]).toBe(
      'title,subtitle,backgroundColor,textColor',
    );
    click.mockRestore();
  });
});
