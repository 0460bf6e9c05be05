/**
 * The composition catalog without React: ids, schemas, default props and sizes.
 * The render worker imports this to validate props; `registry.tsx` adds the components.
 */
import type { CompositionSpec } from './composition-spec';
import {
  describePropsIssues,
  describeReceivedValue,
  type PropsIssue,
} from './describe-props-issues';
import { barChartSpec } from './compositions/bar-chart/schema';
import { slideshowSpec } from './compositions/slideshow/schema';
import { titleCardSpec } from './compositions/title-card/schema';

export type { CompositionSpec } from './composition-spec';
export type { PropsIssue } from './describe-props-issues';
export { publicImages, type PublicImage } from './fields';

/** Every composition the studio, the worker and the Remotion site know, in display order. */
export const compositionCatalog: readonly CompositionSpec[] = [
  titleCardSpec,
  barChartSpec,
  slideshowSpec,
];

/** The outcome of {@link parseInputProps}: complete, valid props, or sentences saying what is wrong. */
export type ParseInputPropsResult =
  | { ok: true; props: Record<string, unknown> }
  | { ok: false; message: string; issues: PropsIssue[] };

/** The ids of every composition, for messages and pickers. */
export function listCompositionIds(): string[] {
  return compositionCatalog.map((spec) => spec.id);
}

/** Finds a composition by id; `undefined` when there is none. */
export function findCompositionSpec(id: string): CompositionSpec | undefined {
  return compositionCatalog.find((spec) => spec.id === id);
}

function reject(issues: PropsIssue[]): ParseInputPropsResult {
  return { ok: false, message: issues.map((issue) => issue.message).join('; '), issues };
}

/**
 * Validates input props for a composition. Like Remotion itself, given props are laid
 * over the composition's default props (a shallow merge), so `{ title: 'Hi' }` is enough.
 * Returns the complete props to render with, or every problem at once.
 */
export function parseInputProps(id: string, input: unknown): ParseInputPropsResult {
  const spec = findCompositionSpec(id);
  if (!spec) {
    return reject([
      {
        path: '',
        message: `Unknown composition ${JSON.stringify(id)}; known compositions are ${listCompositionIds().join(', ')}`,
      },
    ]);
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return reject([
      {
        path: '',
        message: `Props for "${id}" must be a JSON object, but got ${describeReceivedValue(input)}`,
      },
    ]);
  }
  const parsed = spec.schema.safeParse({ ...spec.defaultProps, ...input }, { reportInput: true });
  if (!parsed.success)
    return reject(describePropsIssues(parsed.error.issues, Object.keys(spec.schema.shape)));
  return { ok: true, props: parsed.data };
}
