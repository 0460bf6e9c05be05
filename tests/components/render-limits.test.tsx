import { act, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { slideshowSpec } from '../../remotion/compositions/slideshow/schema';
import StudioApp from '../../src/app/studio-app';
import { Studio } from '../../src/features/studio/components/studio';
import { propsStorageKey } from '../../src/features/studio/hooks/use-persisted-props';
import {
  parseAmplifyOutputs,
  readRenderLimits,
  toRenderLimitsOutput,
} from '../../src/lib/amplify-outputs';
import type { CompositionComponents } from '../../src/lib/composition';
import { checkVideoFitsLimits, type RenderLimits } from '../../contract/render-limits';
import { FakeJobsApi } from './fake-jobs-api';

/** The default deployment's limits: 720 frames of 1280×720. */
const DEFAULT_LIMITS: RenderLimits = { remotionTimeoutSeconds: 120, renderersPerRender: 2 };

const validOutputs = {
  version: '1.4',
  auth: { aws_region: 'us-east-1', user_pool_id: 'us-east-1_x', user_pool_client_id: 'client' },
  data: {
    url: 'https://api.example.com/graphql',
    aws_region: 'us-east-1',
    model_introspection: {},
  },
};

/** Slideshow props of `slides` slides shown `secondsPerSlide` each (30 fps). */
const slideshowOf = (slides: number, secondsPerSlide: number) => ({
  ...slideshowSpec.defaultProps,
  slides: Array.from(
    { length: slides },
    (_, i) => slideshowSpec.defaultProps.slides[i % slideshowSpec.defaultProps.slides.length]!,
  ),
  secondsPerSlide,
});

/** The studio's refusal of a 1280×720, 30 fps slideshow of `frames` frames under the default limits. */
const refusalOf = (frames: number) => {
  const fit = checkVideoFitsLimits(DEFAULT_LIMITS, {
    width: slideshowSpec.width,
    height: slideshowSpec.height,
    fps: slideshowSpec.fps,
    durationInFrames: frames,
  });
  if (fit.ok) throw new Error(`Expected ${frames} frames to exceed the default limits`);
  return fit.message;
};

const components: Promise<CompositionComponents> = Promise.resolve({
  slideshow: () => <div data-testid="composition" />,
});

const renderSlideshowStudio = (renderLimits?: RenderLimits) => {
  const onRender = vi.fn(async () => {});
  render(
    <Studio
      compositions={[slideshowSpec]}
      components={components}
      onRender={onRender}
      renderLimits={renderLimits}
    />,
  );
  return { onRender };
};

const renderButton = () => screen.getByRole('button', { name: 'Render' });
const storeSlideshowProps = (props: object) =>
  localStorage.setItem(propsStorageKey('slideshow'), JSON.stringify(props));

beforeEach(() => localStorage.clear());

describe('render limits in amplify_outputs.json', () => {
  it('reads custom.render_limits as the backend writes it', () => {
    const result = parseAmplifyOutputs({
      ...validOutputs,
      custom: { render_limits: toRenderLimitsOutput(DEFAULT_LIMITS) },
    });
    expect(result.ok && readRenderLimits(result.outputs)).toEqual(DEFAULT_LIMITS);
    expect(toRenderLimitsOutput(DEFAULT_LIMITS)).toEqual({
      remotion_timeout_seconds: 120,
      renderers_per_render: 2,
    });
  });

  it('has no limits for a deployment that publishes none', () => {
    const result = parseAmplifyOutputs(validOutputs);
    expect(result.ok && readRenderLimits(result.outputs)).toBeUndefined();
  });

  it('names a render limit that is not a positive whole number', () => {
    const result = parseAmplifyOutputs({
      ...validOutputs,
      custom: { render_limits: { remotion_timeout_seconds: 120, renderers_per_render: 0 } },
    });
    expect(result).toMatchObject({ ok: false, reason: 'invalid' });
    expect(!result.ok && result.message).toMatch(/custom\.render_limits\.renderers_per_render: /);
  });
});

describe('the studio under render limits', () => {
  it('lets the default slideshow (4 × 2.5 s = 300 frames) render', async () => {
    const { onRender } = renderSlideshowStudio(DEFAULT_LIMITS);
    expect(screen.getByText('Ready to render.')).toBeInTheDocument();
    await userEvent.click(renderButton());
    await waitFor(() => expect(onRender).toHaveBeenCalledTimes(1));
  });

  it('refuses 8 slides × 10 s (2400 frames) before anything is created, saying why', async () => {
    storeSlideshowProps(slideshowOf(8, 10));
    const { onRender } = renderSlideshowStudio(DEFAULT_LIMITS);

    expect(screen.getByText(refusalOf(2400))).toBeInTheDocument();
    expect(renderButton()).toBeDisabled();
    // Enter in a field submits the form: still nothing is created.
    await userEvent.type(screen.getByRole('spinbutton', { name: /Seconds per slide/ }), '{Enter}');
    expect(onRender).not.toHaveBeenCalled();
  });

  it('refuses as soon as an edit makes the video too long, and lets it render again when it fits', async () => {
    renderSlideshowStudio(DEFAULT_LIMITS);
    const seconds = screen.getByRole('spinbutton', { name: /Seconds per slide/ });

    // One keystroke per value: user-event may put the caret before the first digit of a controlled number box.
    await userEvent.clear(seconds);
    await userEvent.type(seconds, '9'); // 4 × 9 s = 1080 frames
    // Found, not got: the form may commit the edit a render later on a loaded machine.
    expect(await screen.findByText(refusalOf(1080), {}, { timeout: 5_000 })).toBeInTheDocument();
    expect(renderButton()).toBeDisabled();

    await userEvent.clear(seconds);
    await userEvent.type(seconds, '6'); // 4 × 6 s = 720 frames: exactly the limit
    expect(await screen.findByText('Ready to render.', {}, { timeout: 5_000 })).toBeInTheDocument();
    expect(renderButton()).toBeEnabled();
  });

  it('renders any length for a deployment that publishes no limits', async () => {
    storeSlideshowProps(slideshowOf(8, 10));
    const { onRender } = renderSlideshowStudio(undefined);
    expect(renderButton()).toBeEnabled();
    await userEvent.click(renderButton());
    await waitFor(() => expect(onRender).toHaveBeenCalledTimes(1));
  });

  it('gets the limits from the app around it', async () => {
    localStorage.setItem('render-studio:selected-composition', 'slideshow');
    storeSlideshowProps(slideshowOf(8, 10));
    const user = { email: 'alice@example.com', signOut: async () => {} };
    // Awaited: the app suspends while its preview loads.
    await act(async () => {
      render(<StudioApp user={user} api={new FakeJobsApi()} renderLimits={DEFAULT_LIMITS} />);
    });

    expect(await screen.findByText(refusalOf(2400))).toBeInTheDocument();
    expect(renderButton()).toBeDisabled();
  });
});
