import type { z } from 'zod';

/**
 * Everything about a composition except its React component: what the worker, the
 * props form and the Remotion site need to know. Kept React-free so the Lambda worker
 * can import it without pulling in React.
 */
export type CompositionSpec<Schema extends z.ZodObject = z.ZodObject> = {
  /** Stable id, used in URLs, in the Job record and by `npx remotion render <id>`. */
  readonly id: string;
  /** Human name shown in the studio. */
  readonly name: string;
  /** One sentence on what the composition shows. */
  readonly description: string;
  /** The props schema: plain zod, so props round-trip through JSON. */
  readonly schema: Schema;
  /** Props used when none are given; always valid against `schema`. */
  readonly defaultProps: z.output<Schema>;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  /** Duration for `defaultProps`. */
  readonly durationInFrames: number;
  /** A frame where everything is on screen: for thumbnails and the Player's first paint (frame 0 is often empty). */
  readonly posterFrame: number;
  /** Duration for given props, when it depends on them (method syntax keeps the spec assignable to the wide type). */
  calculateDurationInFrames?(props: z.output<Schema>): number;
};

/** Declares a spec with its types checked against its own schema. */
export function defineCompositionSpec<Schema extends z.ZodObject>(
  spec: CompositionSpec<Schema>,
): CompositionSpec<Schema> {
  return spec;
}
