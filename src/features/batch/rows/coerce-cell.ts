import type { FieldSpec } from '../../../lib/read-schema-fields';

const TRUE_WORDS = new Set(['true', 'yes', 'y', '1', 'on']);
const FALSE_WORDS = new Set(['false', 'no', 'n', '0', 'off']);
const HEX6 = /^#?([0-9a-f]{6})$/i;
const HEX3 = /^#?([0-9a-f])([0-9a-f])([0-9a-f])$/i;
// Plain decimal notation only: "0x10", "1e3" or "" would be numbers to `Number` but not to a person.
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)$/;

/**
 * Turns a cell into the value a field's schema takes, where the text reads unambiguously as one. Anything else is
 * passed on untouched, so the schema's own check reports it with what came ("must be a number, but got "abc"").
 */
export function coerceCell(field: FieldSpec, cell: unknown): unknown {
  if (typeof cell !== 'string') {
    // JSON gives `42` for a text column of digits; a title of "42" is what was meant.
    const scalar = typeof cell === 'number' || typeof cell === 'boolean';
    return field.kind === 'text' && scalar ? String(cell) : cell;
  }
  const text = cell.trim();
  switch (field.kind) {
    case 'text':
      // Text keeps its inner spacing and line breaks; only a spreadsheet's stray edges go.
      return cell.replace(/^[ \t]+|[ \t]+$/g, '');
    case 'number': {
      const plain = text.replace(/[_\s]/g, '');
      return DECIMAL.test(plain) ? Number(plain) : cell;
    }
    case 'boolean': {
      const word = text.toLowerCase();
      if (TRUE_WORDS.has(word)) return true;
      if (FALSE_WORDS.has(word)) return false;
      return cell;
    }
    case 'color': {
      const six = HEX6.exec(text);
      if (six) return `#${six[1]!.toLowerCase()}`;
      const three = HEX3.exec(text);
      if (three)
        return `#${three
          .slice(1, 4)
          .map((digit) => `${digit}${digit}`.toLowerCase())
          .join('')}`;
      return cell;
    }
    case 'enum':
    case 'image':
      return field.options.find((option) => option.toLowerCase() === text.toLowerCase()) ?? cell;
    case 'list':
    case 'unsupported':
      return parseJsonText(text) ?? cell;
  }
}

function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A field's value as a CSV cell: text as is, lists and objects as JSON text. */
export function formatCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
