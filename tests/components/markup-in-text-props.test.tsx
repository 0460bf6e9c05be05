// Script and HTML typed into text props are drawn as text, never parsed or run: in the props form, the live
// preview (the real title-card component in the Player), and a job card's title and error message.
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { compositionCatalog } from '../../remotion/catalog';
import { compositionRegistry } from '../../remotion/registry';
import { JobsPanel } from '../../src/features/jobs/components/jobs-panel';
import { useJobs } from '../../src/features/jobs/hooks/use-jobs';
import { Studio } from '../../src/features/studio/components/studio';
import type { CompositionComponents } from '../../src/lib/composition';
import { FakeJobsApi, makeJob } from './fake-jobs-api';

/** Each payload would set `window.pwned` if it were ever parsed as HTML and run. */
const IMG_PAYLOAD = '<img src=x onerror=window.pwned=1>';
const SCRIPT_PAYLOAD = '<script>window.pwned=2</script>';

type PwnedWindow = Window & { pwned?: number };

const realComponents: Promise<CompositionComponents> = Promise.resolve(
  Object.fromEntries(compositionRegistry.map((entry) => [entry.id, entry.component])),
);

/** No element the payloads could have created, anywhere in the document. */
function expectNoInjectedElements() {
  expect(document.querySelector('img[src="x"], img[onerror]')).toBeNull();
  expect(
    [...document.querySelectorAll('script')].filter((script) =>
      script.textContent?.includes('pwned'),
    ),
  ).toEqual([]);
  expect((window as PwnedWindow).pwned).toBeUndefined();
}

function JobsHarness({ api }: { api: FakeJobsApi }) {
  const jobs = useJobs(api);
  return <JobsPanel api={api} jobs={jobs} compositionNames={{ 'title-card': 'Title card' }} />;
}

beforeEach(() => {
  localStorage.clear();
  // jsdom has no media playback; the Player's autoplay needs play() to return a promise.
  vi.spyOn(HTMLMediaElement.prototype, 'play').mockResolvedValue(undefined);
});
afterEach(() => {
  delete (window as PwnedWindow).pwned;
  vi.restoreAllMocks();
});

describe('markup in text props', () => {
  it('shows markup typed into the title and subtitle as text in the form and the live preview', async () => {
    const titleCard = compositionCatalog.filter((spec) => spec.id === 'title-card');
    render(<Studio compositions={titleCard} components={realComponents} onRender={vi.fn()} />);
    await waitFor(() => expect(screen.getByTestId('preview')).toBeInTheDocument());
    const title = screen.getByRole('textbox', { name: 'Title' });
    const subtitle = screen.getByRole('textbox', { name: 'Subtitle' });

    // Pasted over the selected text: one edit each, as a user pasting a string would make.
    await userEvent.tripleClick(title);
    await userEvent.paste(IMG_PAYLOAD);
    await userEvent.tripleClick(subtitle);
    await userEvent.paste(SCRIPT_PAYLOAD);

    expect(title).toHaveValue(IMG_PAYLOAD);
    expect(subtitle).toHaveValue(SCRIPT_PAYLOAD);
    const preview = screen.getByTestId('preview');
    // The title card springs its title in word by word: each word is its own text node.
    for (const word of IMG_PAYLOAD.split(' '))
      expect(await within(preview).findByText(word)).toBeInTheDocument();
    expect(within(preview).getByText(SCRIPT_PAYLOAD)).toBeInTheDocument();
    expectNoInjectedElements();
  });

  it("shows markup in a job's title and error message as text", async () => {
    const api = new FakeJobsApi();
    api.jobs.push(makeJob({ title: IMG_PAYLOAD, status: 'FAILED', errorMessage: SCRIPT_PAYLOAD }));

    render(<JobsHarness api={api} />);

    expect(await screen.findByRole('heading', { name: IMG_PAYLOAD })).toBeInTheDocument();
    expect(screen.getByText(SCRIPT_PAYLOAD)).toBeInTheDocument();
    expectNoInjectedElements();
  });
});
