import js from '@eslint/js';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const FEATURES = ['auth', 'batch', 'jobs', 'operations', 'studio'];

// The worker's adapters talk to AWS; everything else in its folder is the plain core (docs/architecture.md, "Layout").
const WORKER_ADAPTERS = [
  'handler.ts',
  'appsync-job-store.ts',
  'remotion-lambda-renderer.ts',
  'sqs-job-queue.ts',
  'system-clock.ts',
  'powertools-job-metrics.ts',
  'spend-guard-from-env.ts',
  'dynamo-spend-ledger.ts',
  'dynamo-job-reads.ts',
].map((file) => `amplify/functions/render-worker/${file}`);

/** The layers of docs/architecture.md ("Layout"), enforced: a planted violation fails lint (tests/unit/lint-boundaries.test.ts). */
export const layerRules = {
  'import-x/no-restricted-paths': [
    'error',
    {
      zones: [
        ...FEATURES.map((feature) => ({
          target: `./src/features/${feature}`,
          from: './src/features',
          except: [`./${feature}`],
          message:
            'Features never import each other: move what both need to src/lib or src/components.',
        })),
        {
          target: './src',
          from: './local',
          message: 'The studio never imports local mode: what both need belongs in src/lib.',
        },
        {
          target: './remotion',
          from: './src',
          message: 'Compositions never import the studio: what both need belongs in contract/.',
        },
        {
          target: './contract',
          from: ['./src', './amplify', './local', './remotion'],
          message: 'contract/ is imported by every layer and imports none of them.',
        },
      ],
    },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules', 'cdk.out', '.local', '.amplify', 'dist', 'bench/results'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.{ts,tsx,mjs,js}'],
    plugins: { 'import-x': importX },
    settings: {
      // Resolves extensionless TypeScript imports, so every project import is checked against the zones.
      'import-x/resolver-next': [
        createNodeResolver({ extensions: ['.ts', '.tsx', '.mjs', '.js'] }),
      ],
    },
    rules: layerRules,
  },
  {
    files: ['amplify/functions/render-worker/**/*.ts'],
    ignores: WORKER_ADAPTERS,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@aws-sdk/*', 'aws-amplify', 'aws-amplify/*', '@remotion/lambda*'],
              message:
                'The job lifecycle core stays plain: reach AWS through a port (ports.ts) and an adapter beside it.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['scripts/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
