import type { z } from 'zod';

/** Who reads the environment, and what its reader should do about a bad value. */
export interface EnvReader {
  /** Names the reader in the first line, e.g. "The render worker's environment". */
  what: string;
  /** One sentence on where to set the values, for the person who reads the error. */
  fix: string;
}

const describeValue = (value: string | undefined) =>
  value === undefined ? 'nothing (unset)' : JSON.stringify(value);

/**
 * The one way the project reads environment variables: parses `env` with `schema` (keys are the
 * variables' names, empty strings count as unset) and throws one error naming every bad variable
 * as "NAME must be …, but got …", followed by where to fix it.
 */
export const readEnv = <Schema extends z.ZodObject>(
  schema: Schema,
  env: Record<string, string | undefined>,
  reader: EnvReader,
): z.output<Schema> => {
  const raw = Object.fromEntries(
    Object.keys(schema.shape).map((name) => [name, env[name] === '' ? undefined : env[name]]),
  );
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const name = issue.path[0];
    if (typeof name !== 'string') return issue.message;
    const expected = issue.message.startsWith(`${name} `)
      ? issue.message
      : `${name} must be ${issue.message}`;
    return `${expected}, but got ${describeValue(raw[name])}`;
  });
  throw new Error(`${reader.what} is invalid:\n  ${lines.join('\n  ')}\n${reader.fix}`);
};

/** What to do about a function's bad environment: the backend definition sets it. */
export const FUNCTION_ENV_FIX =
  'The backend definition (amplify/backend.ts) sets these variables: deploy again, and undo any manual change to the function.';
