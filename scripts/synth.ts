// `npm run synth`: synthesizes the whole backend offline (no AWS credentials) into cdk.out/.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Synthesizes `amplify/backend.ts` as a sandbox named `dev` into `outDir`; returns the template files. */
export const synthesizeBackend = (
  outDir: string,
  { skipBundling = false }: { skipBundling?: boolean } = {},
): string[] => {
  mkdirSync(outDir, { recursive: true });
  const context: Record<string, unknown> = {
    'amplify-backend-namespace': 'render-studio',
    'amplify-backend-name': 'dev',
    'amplify-backend-type': 'sandbox',
  };
  // CDK's own switch: no asset bundling (esbuild, the Remotion site) for any stack.
  if (skipBundling) context['aws:cdk:bundling-stacks'] = [];
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
