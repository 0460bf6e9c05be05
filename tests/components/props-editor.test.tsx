import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { compositionCatalog } from '../../remotion/catalog';
import type { CompositionComponents, StudioComposition } from '../../src/lib/composition';
import { propsStorageKey } from '../../src/features/studio/hooks/use-persisted-props';
import { Studio } from '../../src/features/studio/components/studio';
import { readSchemaFields } from '../../src/lib/read-schema-fields';

// One composition with every kind of field the editor supports.
const everyFieldSchema = z.strictObject({
  headline: z.string().min(1).max(40).meta({ title: 'Headline', description: 'Shown large.' }),
  speed: z.number().min(0.5).max(3).meta({ title: 'Speed' }),
  accent: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/)
    .meta({ title: 'Accent', widget: 'color' }),
  layout: z.enum(['left', 'center', 'right']).meta({ title: 'Layout' }),
  loop: z.boolean().meta({ title: 'Loop' }),
  backdrop: z
    .enum(['slides/aurora.svg', 'slides/dunes.svg'])
    .meta({ title: 'Backdrop', widget: 'image' }),
  bars: z
    .array(
      z.object({
        label: z.string().min(1).meta({ title: 'Label' }),
        value: z.number().int().min(0).max(100).meta({ title: 'Value' }),
      }),
    )
    .min(1)
    .max(3)
    .meta({ title: 'Bars' }),
});

const defaults = {
  headline: 'Hello',
  speed: 1,
  accent: '#6366f1',
  layout: 'center',
  loop: false,
  backdrop: 'slides/aurora.svg',
  bars: [
    { label: 'A', value: 10 },
    { label: 'B', value: 20 },
  ],
};

const everyField: StudioComposition = {
  id: 'every-field',
  name: 'Every field',
  description: 'A test composition.',
  schema: everyFieldSchema,
  defaultProps: defaults,
  width: 640,
  height: 360,
  fps: 30,
  durationInFrames: 60,
  posterFrame: 30,
};

function Preview(props: Record<string, unknown>) {
  return <div data-testid="composition">{String(props.headline)}</div>;
}
const components: Promise<CompositionComponents> = Promise.resolve({ 'every-field': Preview });

function renderStudio(onRender = vi.fn(async () => {})) {
  render(<Studio compositions={[everyField]} components={components} onRender={onRender} />);
  return { onRender };
}

const renderButton = () => screen.getByRole('button', { name: 'Render' });

beforeEach(() => localStorage.clear());

describe('props editor', () => {
  it('shows a control for every field kind, filled with the defaults', () => {
    renderStudio();
    expect(screen.getByRole('textbox', { name: 'Headline' })).toHaveValue('Hello');
    expect(screen.getByText('Shown large.')).toBeInTheDocument();
    const speed = screen.getByRole('spinbutton', { name: /Speed/ });
    expect(speed).toHaveValue(1);
    expect(speed).toHaveAttribute('min', '0.5');
    expect(speed).toHaveAttribute('max', '3');
    expect(screen.getByRole('textbox', { name: 'Accent' })).toHaveValue('#6366f1');
    expect(screen.getByLabelText('Accent picker')).toHaveAttribute('type', 'color');
    expect(screen.getByRole('combobox', { name: 'Layout' })).toHaveValue('center');
    expect(screen.getByRole('checkbox', { name: 'Loop' })).not.toBeChecked();
    const backdrop = screen.getByRole('group', { name: 'Backdrop' });
    expect(within(backdrop).getAllByRole('radio')).toHaveLength(2);
    expect(within(backdrop).getAllByRole('radio')[0]).toBeChecked();
    expect(
      screen
        .getAllByRole('textbox', { name: 'Label' })
        .map((input) => (input as HTMLInputElement).value),
    ).toEqual(['A', 'B']);
    expect(renderButton()).toBeEnabled();
  });

  it('shows the schema message inline and disables Render while a field is invalid', async () => {
    renderStudio();
    await userEvent.clear(screen.getByRole('textbox', { name: 'Headline' }));
    expect(screen.getByRole('textbox', { name: 'Headline' })).toHaveAttribute(
      'aria-invalid',
      'true',
    );
    expect(screen.getByRole('alert')).toHaveTextContent(
      'Too small: expected string to have >=1 characters',
    );
    expect(renderButton()).toBeDisabled();
    expect(screen.getByText('1 field needs fixing before rendering.')).toBeInTheDocument();

    await userEvent.type(screen.getByRole('textbox', { name: 'Headline' }), 'Back');
    expect(screen.queryByRole('alert')).toBeNull();
    expect(renderButton()).toBeEnabled();
  });

  it('reports numbers out of bounds and colours that are not #rrggbb', async () => {
    renderStudio();
    const speed = screen.getByRole('spinbutton', { name: /Speed/ });
    await userEvent.clear(speed);
    await userEvent.type(speed, '9');
    expect(screen.getByText('Too big: expected number to be <=3')).toBeInTheDocument();
    const accent = screen.getByRole('textbox', { name: 'Accent' });
    await userEvent.clear(accent);
    await userEvent.type(accent, 'red');
    expect(screen.getByText(/Invalid string: must match pattern/)).toBeInTheDocument();
    expect(renderButton()).toBeDisabled();
  });

  it('edits enums, booleans, images and list items, and renders with the parsed props', async () => {
    const { onRender } = renderStudio();
    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Layout' }), 'right');
    await userEvent.click(screen.getByRole('checkbox', { name: 'Loop' }));
    await userEvent.click(
      within(screen.getByRole('group', { name: 'Backdrop' })).getAllByRole('radio')[1]!,
    );
    await userEvent.click(screen.getByRole('button', { name: 'Move Bar 2 up' }));
    await userEvent.click(screen.getByRole('button', { name: '+ Add bar' }));
    expect(screen.getByRole('button', { name: '+ Add bar' })).toBeDisabled(); // max 3
    await userEvent.click(screen.getByRole('button', { name: 'Remove Bar 1' }));
    await userEvent.click(renderButton());

    expect(onRender).toHaveBeenCalledWith({
      compositionId: 'every-field',
      title: 'Every field',
      props: {
        ...defaults,
        layout: 'right',
        loop: true,
        backdrop: 'slides/dunes.svg',
        bars: [
          { label: 'A', value: 10 },
          { label: 'A', value: 10 },
        ],
      },
      // No format or scale chosen: the default output.
      output: { outputFormat: 'mp4', scale: 1 },
      // The metadata box left empty.
      metadata: null,
    });
  });

  it('does not let a list shrink below its minimum', async () => {
    renderStudio();
    await userEvent.click(screen.getByRole('button', { name: 'Remove Bar 2' }));
    expect(screen.getByRole('button', { name: 'Remove Bar 1' })).toBeDisabled();
  });

  it('resets to the defaults', async () => {
    renderStudio();
    await userEvent.clear(screen.getByRole('textbox', { name: 'Headline' }));
    await userEvent.type(screen.getByRole('textbox', { name: 'Headline' }), 'Changed');
    await userEvent.click(screen.getByRole('button', { name: 'Reset to defaults' }));
    expect(screen.getByRole('textbox', { name: 'Headline' })).toHaveValue('Hello');
    expect(localStorage.getItem(propsStorageKey('every-field'))).toBeNull();
  });

  it('restores the last edited props after a reload, and ignores stored props the schema rejects', async () => {
    const first = render(
      <Studio compositions={[everyField]} components={components} onRender={vi.fn()} />,
    );
    await userEvent.clear(screen.getByRole('textbox', { name: 'Headline' }));
    await userEvent.type(screen.getByRole('textbox', { name: 'Headline' }), 'Kept');
    first.unmount();

    renderStudio();
    expect(screen.getByRole('textbox', { name: 'Headline' })).toHaveValue('Kept');
    screen.getByRole('button', { name: 'Reset to defaults' }); // the same editor, not a fresh page
    document.body.innerHTML = '';

    localStorage.setItem(
      propsStorageKey('every-field'),
      JSON.stringify({ ...defaults, speed: 99 }),
    );
    renderStudio();
    expect(screen.getAllByRole('spinbutton', { name: /Speed/ })[0]).toHaveValue(1);
  });

  it('shows the failure when the render cannot be started', async () => {
    renderStudio(
      vi.fn(async () => Promise.reject(new Error('You already have 3 renders in flight.'))),
    );
    await userEvent.click(renderButton());
    expect(
      await screen.findByText('Could not start the render: You already have 3 renders in flight.'),
    ).toBeInTheDocument();
  });

  it('previews the edited props', async () => {
    renderStudio();
    await waitFor(() => expect(screen.getByTestId('preview')).toBeInTheDocument());
    const headline = screen.getByRole('textbox', { name: 'Headline' });
    await userEvent.clear(headline);
    await userEvent.type(headline, 'Live');
    // The Player renders the component with the current props (jsdom draws no frames, but mounts the tree).
    await waitFor(() =>
      expect(within(screen.getByTestId('preview')).getByTestId('composition')).toHaveTextContent(
        'Live',
      ),
    );
  });
});

describe('readSchemaFields on the registered compositions', () => {
  it('finds a labelled control for every field of every composition', () => {
    for (const spec of compositionCatalog) {
      const fields = readSchemaFields(spec.schema);
      expect(fields.length).toBeGreaterThan(0);
      for (const field of fields) {
        expect(field.kind, `${spec.id}.${field.key}`).not.toBe('unsupported');
        expect(field.title, `${spec.id}.${field.key} has a title`).not.toBe(field.key);
      }
    }
  });

  it('reads title-card as two texts and two colours', () => {
    const titleCard = compositionCatalog.find((spec) => spec.id === 'title-card')!;
    expect(readSchemaFields(titleCard.schema).map((field) => [field.key, field.kind])).toEqual([
      ['title', 'text'],
      ['subtitle', 'text'],
      ['backgroundColor', 'color'],
      ['textColor', 'color'],
    ]);
  });
});
