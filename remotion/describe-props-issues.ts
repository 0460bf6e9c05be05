import type { z } from 'zod';
import { HEX_COLOR_PATTERN } from './fields';

/** One thing wrong with a set of props: where (`bars[2].value`) and what, as a sentence. */
export type PropsIssue = { path: string; message: string };

const EXPECTED_TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
};

/** Formats a zod path the way a person writes it: `bars[2].value`. */
export function formatPropsPath(path: readonly PropertyKey[]): string {
  return path
    .map((segment, index) =>
      typeof segment === 'number' ? `[${segment}]` : `${index === 0 ? '' : '.'}${String(segment)}`,
    )
    .join('');
}

/** Unknown fields named in one message; the rest are counted, so a message stays readable. */
const MAX_NAMED_UNKNOWN_FIELDS = 5;

/** Cuts text a user sent to 40 characters, so a message quoting it stays short. */
const shorten = (text: string): string => (text.length > 40 ? `${text.slice(0, 40)}…` : text);

/** Names a received value briefly: strings quoted and cut short, containers by kind. */
export function describeReceivedValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'string') return JSON.stringify(shorten(value));
  if (typeof value === 'object') return 'an object';
  return String(value);
}

function pluralize(count: number | bigint, noun: string): string {
  return `${count} ${noun}${Number(count) === 1 ? '' : 's'}`;
}

function describeSizeIssue(issue: z.core.$ZodIssueTooBig | z.core.$ZodIssueTooSmall): string {
  const isMaximum = issue.code === 'too_big';
  const limit = isMaximum ? issue.maximum : issue.minimum;
  const bound = isMaximum
    ? issue.inclusive === false
      ? 'less than'
      : 'at most'
    : issue.inclusive === false
      ? 'more than'
      : 'at least';
  const input = issue.input;
  switch (issue.origin) {
    case 'string':
      return `must be ${bound} ${pluralize(limit, 'character')}, but got ${typeof input === 'string' ? input.length : describeReceivedValue(input)}`;
    case 'array':
      return `must have ${bound} ${pluralize(limit, 'item')}, but got ${Array.isArray(input) ? input.length : describeReceivedValue(input)}`;
    default:
      return `must be ${bound} ${String(limit)}, but got ${describeReceivedValue(input)}`;
  }
}

/** Says what was expected and what came, without the field name. */
export function describeProblem(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `must be ${EXPECTED_TYPE_NAMES[issue.expected] ?? issue.expected}, but got ${describeReceivedValue(issue.input)}`;
    case 'too_big':
    case 'too_small':
      return describeSizeIssue(issue);
    case 'invalid_format':
      if (issue.format === 'regex' && issue.pattern === String(HEX_COLOR_PATTERN)) {
        return `must be a hex colour like "#1e293b", but got ${describeReceivedValue(issue.input)}`;
      }
      return `must match ${issue.pattern ?? issue.format}, but got ${describeReceivedValue(issue.input)}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}, but got ${describeReceivedValue(issue.input)}`;
    default:
      return issue.message;
  }
}

function describeUnknownKeys(
  issue: z.core.$ZodIssueUnrecognizedKeys,
  path: string,
  knownFields: readonly string[],
): string {
  const named = issue.keys.slice(0, MAX_NAMED_UNKNOWN_FIELDS).map((key) => `\`${shorten(key)}\``);
  const more = issue.keys.length - named.length;
  const unknown = `${issue.keys.length === 1 ? 'field' : 'fields'} ${named.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
  if (path !== '') return `\`${path}\` has unknown ${unknown}`;
  const known = knownFields.map((key) => `\`${key}\``).join(', ');
  return `Unknown ${unknown}${known ? `; the fields are ${known}` : ''}`;
}

/**
 * Turns zod issues into sentences in Remotion's style:
 * "`title` must be at most 80 characters, but got 93".
 * Parse with `{ reportInput: true }` so the sentences can say what came;
 * `knownFields` (the top-level keys) are listed when an unknown field is given.
 */
export function describePropsIssues(
  issues: readonly z.core.$ZodIssue[],
  knownFields: readonly string[] = [],
): PropsIssue[] {
  return issues.map((issue) => {
    const path = formatPropsPath(issue.path);
    if (issue.code === 'unrecognized_keys') {
      return { path, message: describeUnknownKeys(issue, path, knownFields) };
    }
    const subject = path === '' ? 'The props' : `\`${path}\``;
    return { path, message: `${subject} ${describeProblem(issue)}` };
  });
}
