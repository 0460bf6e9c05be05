import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  compositionCatalog,
  findCompositionSpec,
  listCompositionIds,
  parseInputProps,
  publicImages,
} from '../../../remotion/catalog';
import { compositionRegistry } from '../../../remotion/registry';

const publicDirectory = fileURLToPath(new URL('../../../public/', import.meta.url));

/** Every schema below the top-level object, with the path that leads to it. */
function listFields(schema: z.ZodType, path: string): { path: string; schema: z.ZodType }[] {
  if (schema instanceof z.ZodObject) {
    return Object.entries(schema.shape as Record<string, z.ZodType>).flatMap(([key, field]) => [
      { path: `${path}${key}`, schema: field },
      ...listFields(field, `${path}${key}.`),
    ]);
  }
  if (schema instanceof z.ZodArray) return listFields(schema.element as z.ZodType, `${path}[].`);
  return [];
}

describe('composition catalog', () => {
  it('has at least three compositions with unique ids', () => {
    const ids = listCompositionIds();

    expect(ids.length).toBeGreaterThanOrEqual(3);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(['title-card', 'bar-chart', 'slideshow']));
  });

  it('gives title-card exactly 1280×720 at 30 fps for 150 frames', () => {
    const spec = findCompositionSpec('title-card');

    expect(spec).toMatchObject({ width: 1280, height: 720, fps: 30, durationInFrames: 150 });
  });

  it.each(compositionCatalog.map((spec) => [spec.id, spec] as const))(
    '%s: default props are valid, survive JSON and give the default duration',
    (_id, spec) => {
      const roundTripped: unknown = JSON.parse(JSON.stringify(spec.defaultProps));

      expect(spec.schema.safeParse(spec.defaultProps).success).toBe(true);
      expect(parseInputProps(spec.id, roundTripped)).toEqual({
        ok: true,
        props: spec.defaultProps,
      });
      expect(parseInputProps(spec.id, {})).toEqual({ ok: true, props: spec.defaultProps });
      expect(spec.calculateDurationInFrames?.(spec.defaultProps) ?? spec.durationInFrames).toBe(
        spec.durationInFrames,
      );
    },
  );

  it.each(compositionCatalog.map((spec) => [spec.id, spec] as const))(
    '%s: has sane size and timing',
    (_id, spec) => {
      expect(spec.name.length).toBeGreaterThan(0);
      expect(spec.description.length).toBeGreaterThan(0);
      for (const value of [spec.width, spec.height, spec.fps, spec.durationInFrames]) {
        expect(Number.isInteger(value) && value > 0).toBe(true);
      }
      expect(Number.isInteger(spec.posterFrame)).toBe(true);
      expect(spec.posterFrame).toBeGreaterThan(0);
      expect(spec.posterFrame).toBeLessThan(spec.durationInFrames);
    },
  );

  it.each(compositionCatalog.map((spec) => [spec.id, spec] as const))(
    '%s: every field carries a human title for the studio form',
    (_id, spec) => {
      const fields = listFields(spec.schema, '');

      expect(fields.length).toBeGreaterThan(0);
      for (const field of fields) {
        expect({ path: field.path, title: field.schema.meta()?.title }).toEqual({
          path: field.path,
          title: expect.stringMatching(/\S/),
        });
      }
    },
  );

  it.each(compositionCatalog.map((spec) => [spec.id, spec] as const))(
    '%s: converts to JSON Schema with titles and widgets kept',
    (_id, spec) => {
      const jsonSchema = z.toJSONSchema(spec.schema) as {
        properties: Record<string, { title?: string }>;
      };

      expect(Object.keys(jsonSchema.properties)).toEqual(Object.keys(spec.schema.shape));
      for (const property of Object.values(jsonSchema.properties)) {
        expect(property.title).toMatch(/\S/);
      }
    },
  );

  it('covers every field kind the studio form supports', () => {
    const fields = compositionCatalog.flatMap((spec) => listFields(spec.schema, ''));
    const widgets = new Set(fields.map((field) => field.schema.meta()?.widget));
    const kinds = new Set(fields.map((field) => field.schema.constructor.name));

    expect([...widgets]).toEqual(expect.arrayContaining(['color', 'image']));
    expect([...kinds]).toEqual(
      expect.arrayContaining(['ZodString', 'ZodNumber', 'ZodBoolean', 'ZodEnum', 'ZodArray']),
    );
  });

  it('ships every image it offers in public/', () => {
    expect(publicImages.length).toBeGreaterThan(0);
    for (const image of publicImages) {
      expect({ image, exists: existsSync(`${publicDirectory}${image}`) }).toEqual({
        image,
        exists: true,
      });
    }
  });

  it('rejects an unknown composition id, naming the known ones', () => {
    const result = parseInputProps('no-such-thing', {});

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.message).toContain('"no-such-thing"');
    for (const id of listCompositionIds()) expect(result.message).toContain(id);
    expect(findCompositionSpec('no-such-thing')).toBeUndefined();
  });

  it.each([
    ['null', null, 'null'],
    ['a list', [1, 2], 'a list of 2'],
    ['a string', '{"title":"x"}', '"{\\"title\\":\\"x\\"}"'],
    ['a number', 42, '42'],
  ])('rejects %s as props, saying what came', (_label, input, described) => {
    const result = parseInputProps('title-card', input);

    expect(result).toEqual({
      ok: false,
      message: `Props for "title-card" must be a JSON object, but got ${described}`,
      issues: [{ path: '', message: expect.stringContaining('must be a JSON object') }],
    });
  });

  it('registers one component per catalog entry, in catalog order', () => {
    expect(compositionRegistry.map((entry) => entry.id)).toEqual(listCompositionIds());
    for (const entry of compositionRegistry) expect(typeof entry.component).toBe('function');
  });
});
