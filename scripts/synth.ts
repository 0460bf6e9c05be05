// `npm run synth`: synthesizes the whole backend offline (no AWS credentials) into cdk.out/.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The Amplify backend identifier the CLI passes in the CDK context (a sandbox or a branch). */
export interface BackendIdentifier {
  namespace: string;
  name: string;
  type: 'sandbox' | 'branch';
}

/** The sandbox `npm run synth` and the infra tests synthesize unless told otherwise. */
export const DEFAULT_BACKEND: BackendIdentifier = {
  namespace: 'render-studio',
  name: 'dev',
  type: 'sandbox',
};

export interface SynthesizeOptions {
  /** Skips asset bundling (esbuild, the Remotion site): templates only, seconds faster. */
  skipBundling?: boolean;
  backend?: BackendIdentifier;
  /**
   * Runs cdk-nag's AwsSolutions checks (amplify/nag-suppressions.ts); findings are written to
   * `validation-report.json` in `outDir` instead of failing the synthesis.
   */
  nag?: boolean;
}

/** Synthesizes `amplify/backend.ts` (by default as the sandbox `dev`) into `outDir`; returns the template files. */
export const synthesizeBackend = (
  outDir: string,
  { skipBundling = false, backend = DEFAULT_BACKEND, nag = false }: SynthesizeOptions = {},
): string[] => {
  mkdirSync(outDir, { recursive: true });
  const context: Record<string, unknown> = {
    'amplify-backend-namespace': backend.namespace,
    'amplify-backend-name': backend.name,
    'amplify-backend-type': backend.type,
  };
  // CDK's own switch: no asset bundling (esbuild, the Remotion site) for any stack.
  if (skipBundling) context['aws:cdk:bundling-stacks'] = [];
  // The report is the result: the test reads it and lists every unsuppressed finding.
  if (nag) context['@aws-cdk/core:failSynthOnValidationErrors'] = false;
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(root, 'amplify', 'backend.ts')],
    {
      cwd: root,
      env: {
        ...process.env,
        CDK_OUTDIR: outDir,
        CDK_CONTEXT_JSON: JSON.stringify(context),
        // CDK's built-in validation sees only the root template (Amplify nests every resource) and
        // costs seconds of WebAssembly start-up; tests/infra validates every template instead.
        CDK_VALIDATION: 'false',
        // NAG_ENV_VAR of amplify/nag-suppressions.ts (not imported: it would load cdk-nag here).
        RENDER_STUDIO_NAG: nag ? '1' : '',
      },
      encoding: 'utf8',
    },
  );
  if (run.status !== 0) {
    throw new Error(
      `Synthesis of amplify/backend.ts failed (exit ${run.status ?? run.signal}):\n${run.stderr}${run.stdout}`,
    );
  }
  return readdirSync(outDir).filter((name) => name.endsWith('.template.json'));
};

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outDir = join(root, 'cdk.out');
  const started = performance.now();
  const templates = synthesizeBackend(outDir);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`Synthesized ${templates.length} templates into ${outDir} in ${seconds} s:`);
  for (const name of templates.sort()) console.log(`  ${name}`);
}
