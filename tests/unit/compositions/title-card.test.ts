import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseInputProps } from '../../../remotion/catalog';

function parseTitleCard(input: Record<string, unknown>) {
  return parseInputProps('title-card', input);
}

describe('title-card props', () => {
  it('lays given props over the defaults', () => {
    const result = parseTitleCard({ title: 'Launch day' });

    expect(result).toEqual({
      ok: true,
      props: expect.objectContaining({ title: 'Launch day', backgroundColor: '#0f172a' }),
    });
  });

  it('rejects a title over 80 characters, saying how long it was', () => {
    const result = parseTitleCard({ title: 'x'.repeat(93) });

    expect(result).toEqual({
      ok: false,
      message: '`title` must be at most 80 characters, but got 93',
      issues: [{ path: 'title', message: '`title` must be at most 80 characters, but got 93' }],
    });
  });

  it('rejects an empty title', () => {
    const result = parseTitleCard({ title: '' });

    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.message).toBe('`title` must be at least 1 character, but got 0');
  });

  it('rejects a subtitle over 120 characters', () => {
    const result = parseTitleCard({ subtitle: 's'.repeat(121) });

    expect(result.ok ? '' : result.message).toBe(
      '`subtitle` must be at most 120 characters, but got 121',
    );
  });

  it.each(['red', '#fff', '#12345g', '1e293b', '#1e293bff'])('rejects the colour %j', (color) => {
    const result = parseTitleCard({ backgroundColor: color });

    expect(result.ok ? [] : result.issues).toEqual([
      {
        path: 'backgroundColor',
        message: `\`backgroundColor\` must be a hex colour like "#1e293b", but got ${JSON.stringify(color)}`,
      },
    ]);
  });

  it('rejects a value of the wrong type and reports every problem at once', () => {
    const result = parseTitleCard({ title: 5, textColor: null });

    expect(result.ok ? [] : result.issues).toEqual([
      { path: 'title', message: '`title` must be a string, but got 5' },
      { path: 'textColor', message: '`textColor` must be a string, but got null' },
    ]);
    expect(result.ok ? '' : result.message).toBe(
      '`title` must be a string, but got 5; `textColor` must be a string, but got null',
    );
  });

  it('rejects fields it does not know, so typos do not pass silently', () => {
    const result = parseTitleCard({ titel: 'Hello' });

    expect(result.ok ? '' : result.message).toBe(
      'Unknown field `titel`; the fields are `title`, `subtitle`, `backgroundColor`, `textColor`',
    );
  });

  it('accepts every title of 1–80 characters and rejects every longer one', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 120 }), (title) => {
        const result = parseTitleCard({ title });
        if (title.length <= 80) return result.ok && result.props.title === title;
        return (
          !result.ok &&
          result.message === `\`title\` must be at most 80 characters, but got ${title.length}`
        );
      }),
    );
  });
});
