// zod/mini: the same validation as zod, tree-shaken, so parsing the outputs does not put all of zod in the first bundle.
import { z } from 'zod/mini';
import type { RenderLimits } from '../../contract/render-limits';

const positiveWholeNumber = () => z.int().check(z.positive());

/** The parts of `amplify_outputs.json` the studio reads; everything else passes through to Amplify untouched. */
const amplifyOutputsSchema = z.looseObject({
  version: z.string(),
  auth: z.looseObject({
    aws_region: z.string(),
    user_pool_id: z.string(),
    user_pool_client_id: z.string(),
  }),
  data: z.looseObject({
    url: z.url(),
    aws_region: z.string(),
    model_introspection: z.record(z.string(), z.unknown()),
  }),
  custom: z.optional(
    z.looseObject({
      // Present only in local mode (`npm start`): where the stand-ins for AWS services listen.
      local_endpoints: z.optional(z.looseObject({ cognito: z.url() })),
      // What bounds a render (`addOutput` in amplify/backend.ts, and local mode); older deployments have none.
      render_limits: z.optional(
        z.looseObject({
          remotion_timeout_seconds: positiveWholeNumber(),
          renderers_per_render: positiveWholeNumber(),
        }),
      ),
    }),
  ),
});

/** Validated `amplify_outputs.json`. */
export type AmplifyOutputs = z.infer<typeof amplifyOutputsSchema>;

/** Result of {@link loadAmplifyOutputs}: the outputs, or why the studio cannot start. */
export type AmplifyOutputsResult =
  | { ok: true; outputs: AmplifyOutputs }
  | { ok: false; reason: 'missing' | 'invalid'; message: string };

/** Fetches `/amplify_outputs.json` (served by `npm start`, or copied there by the Hosting build) and validates it. */
export async function loadAmplifyOutputs(
  fetchOutputs: typeof fetch = fetch,
  url = '/amplify_outputs.json',
): Promise<AmplifyOutputsResult> {
  let body: unknown;
  try {
    const response = await fetchOutputs(url, { cache: 'no-store' });
    if (!response.ok)
      return { ok: false, reason: 'missing', message: `${url} answered ${response.status}.` };
    body = await response.json();
  } catch (error) {
    // Vite's dev server answers index.html for unknown paths, which fails JSON parsing: same fix.
    return {
      ok: false,
      reason: 'missing',
      message: `${url} could not be read as JSON (${error instanceof Error ? error.message : String(error)}).`,
    };
  }
  return parseAmplifyOutputs(body);
}

/** Validates already-loaded outputs; messages name the field that was expected and what came. */
export function parseAmplifyOutputs(body: unknown): AmplifyOutputsResult {
  const parsed = amplifyOutputsSchema.safeParse(body);
  if (parsed.success) return { ok: true, outputs: parsed.data };
  const issues = parsed.error.issues
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
  return {
    ok: false,
    reason: 'invalid',
    message: `amplify_outputs.json is not usable: ${issues}.`,
  };
}

/** True when the outputs come from local mode (`npm start`) rather than a cloud deployment. */
export function isLocalMode(outputs: AmplifyOutputs): boolean {
  return outputs.custom?.local_endpoints !== undefined;
}

/** `custom.render_limits` as the backend and local mode publish it in `amplify_outputs.json`. */
export interface RenderLimitsOutput {
  remotion_timeout_seconds: number;
  renderers_per_render: number;
}

/** The limits in the shape of `custom.render_limits`: the one writer both the backend and local mode use. */
export function toRenderLimitsOutput(limits: RenderLimits): RenderLimitsOutput {
  return {
    remotion_timeout_seconds: limits.remotionTimeoutSeconds,
    renderers_per_render: limits.renderersPerRender,
  };
}

/** The deployment's render limits; `undefined` when it publishes none (a deployment older than them). */
export function readRenderLimits(outputs: AmplifyOutputs): RenderLimits | undefined {
  const published = outputs.custom?.render_limits;
  if (!published) return undefined;
  return {
    remotionTimeoutSeconds: published.remotion_timeout_seconds,
    renderersPerRender: published.renderers_per_render,
  };
}
