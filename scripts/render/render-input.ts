import { readFileSync } from 'node:fs';
import { createRenderablePropsParser } from '../../amplify/functions/render-worker/parse-renderable-props';
import { parseInputProps } from '../../remotion/catalog';
import {
  parseAmplifyOutputs,
  readRenderLimits,
  type AmplifyOutputs,
} from '../../src/lib/amplify-outputs';
import { UsageError } from './parse-render-args';

/** Credentials of the user the script renders as, from the environment. */
export interface RenderCredentials {
  username: string;
  password: string;
}

export const USERNAME_VARIABLE = 'RENDER_STUDIO_USERNAME';
export const PASSWORD_VARIABLE = 'RENDER_STUDIO_PASSWORD';

/** Reads the credentials; throws naming each missing variable and how to get a user. */
export function readRenderCredentials(env: Record<string, string | undefined>): RenderCredentials {
  const missing = [USERNAME_VARIABLE, PASSWORD_VARIABLE].filter((name) => !env[name]?.trim());
  if (missing.length > 0)
    throw new UsageError(
      `${missing.join(' and ')} must be set to the studio user's ${missing.length === 2 ? 'email and password' : missing[0] === USERNAME_VARIABLE ? 'email' : 'password'}, but ${missing.length === 2 ? 'neither is' : 'it is not'}. ` +
        "In local mode create a user with `npm run local:user -- you@example.com 'Passw0rd!'`.",
    );
  return { username: env[USERNAME_VARIABLE]!.trim(), password: env[PASSWORD_VARIABLE]! };
}

const readJsonFile = (file: string, what: string): unknown => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(
      `${what} ${file} could not be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(
      `${what} ${file} must be JSON, but it is not (${error instanceof Error ? error.message : String(error)}).`,
    );
  }
};

/** Reads and validates `amplify_outputs.json`; says how to start local mode when it is missing. */
export function loadOutputs(file: string, { local }: { local: boolean }): AmplifyOutputs {
  let body: unknown;
  try {
    body = readJsonFile(file, 'The outputs file');
  } catch (error) {
    if (local && /ENOENT/.test((error as Error).message))
      throw new UsageError(
        `Local mode is not running (no ${file}): start it with \`npm start\`, or pass --outputs amplify_outputs.json of a deployed backend.`,
      );
    throw error;
  }
  const parsed = parseAmplifyOutputs(body);
  if (!parsed.ok) throw new UsageError(`${file}: ${parsed.message}`);
  return parsed.outputs;
}

/**
 * Reads the props file and checks the props the way the worker will: the composition's zod schema over its
 * defaults, the props size cap, and the deployment's render limits. Throws what was expected and what came.
 */
export function loadRenderProps(
  compositionId: string,
  propsFile: string | undefined,
  outputs: AmplifyOutputs,
): Record<string, unknown> {
  const input = propsFile ? readJsonFile(propsFile, 'The props file') : {};
  const limits = readRenderLimits(outputs);
  const parse = limits ? createRenderablePropsParser(limits, parseInputProps) : parseInputProps;
  const parsed = parse(compositionId, input);
  if (!parsed.ok)
    throw new UsageError(
      `The props ${propsFile ? `in ${propsFile} ` : ''}do not fit "${compositionId}": ${parsed.message}.`,
    );
  return parsed.props;
}
