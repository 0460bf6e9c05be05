// `npm run cloud:check`: what would break a deploy to the AWS account and region at hand, with fixes.
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { STSClient } from '@aws-sdk/client-sts';
import type { Finding } from './cloud-check/preflight';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const HELP = `Usage: npm run cloud:check -- [--identifier <sandbox name> | --branch <name> --app-id <id>] [--region <region>]

Checks, before a deploy, what would break it: the region, your AWS credentials, the account's
S3 Block Public Access (for the record), its Lambda concurrency against LAMBDA_CONCURRENCY_BUDGET,
and whether another stack already owns the render function's name. Exits 1 if any check fails.

Which environment (it names the render function and the stacks):
  --identifier <name>        the sandbox \`npx ampx sandbox --identifier <name>\` deploys
  --branch <b> --app-id <id> the Amplify Hosting branch (\`ampx pipeline-deploy --branch <b> --app-id <id>\`)
  (neither)                  the sandbox \`npx ampx sandbox\` deploys for you: named after your OS
                             user name ("${userInfo().username}") in the app named by package.json "name"

Assumes: AWS credentials and region come from the usual chain (AWS_PROFILE, AWS_REGION, SSO,
environment variables); --region overrides the region. The pipeline settings (RENDER_CAP,
LAMBDA_CONCURRENCY_BUDGET, REMOTION_*) are read from this shell's environment, as the deploy reads
them: set the same values here as in Amplify Hosting → Environment variables.`;

const SYMBOL: Record<Finding['status'], string> = { ok: '✔', warn: '!', fail: '✖' };

const print = (finding: Finding) => {
  console.log(`${SYMBOL[finding.status]} ${finding.check}: ${finding.message}`);
  if (finding.fix) console.log(`    fix: ${finding.fix}`);
};

const fail = (check: Finding['check'], error: unknown, fix: string): never => {
  print({
    check,
    status: 'fail',
    message: error instanceof Error ? error.message : String(error),
    fix,
  });
  process.exit(1);
};

const main = async () => {
  const { values } = parseArgs({
    options: {
      identifier: { type: 'string' },
      branch: { type: 'string' },
      'app-id': { type: 'string' },
      region: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }

  // Imported here, not above: config.ts validates the environment as it loads.
  const config = await import('../amplify/render-pipeline/config')
    .then(({ readPipelineConfig }) => readPipelineConfig(process.env))
    .catch((error: unknown) =>
      fail('configuration', error, 'Fix the variables named above and run this check again.'),
    );
  const { deployNamesOf, resolveBackendIdentifier } =
    await import('./cloud-check/backend-environment');
  const { supportedRemotionRegions } =
    await import('../amplify/remotion-lambda/remotion-render-function');
  const { runPreflight } = await import('./cloud-check/preflight');

  let backend;
  try {
    const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      name?: string;
    };
    backend = resolveBackendIdentifier(
      { identifier: values.identifier, branch: values.branch, appId: values['app-id'] },
      { packageName: packageJson.name, username: userInfo().username },
    );
  } catch (error) {
    return fail('configuration', error, 'See `npm run cloud:check -- --help`.');
  }
  const names = deployNamesOf(backend, config);
  console.log(
    `Checking the ${backend.type} "${backend.name}" of ${backend.namespace}: stack ${names.rootStackName}, ` +
      `render function ${names.functionName}.`,
  );

  const region = values.region ?? process.env.AWS_REGION;
  const sts = new STSClient(region ? { region } : {});
  // The SDK resolves the region the deploy would use (AWS_REGION, then the profile's).
  const resolvedRegion = await sts.config.region().catch(() => undefined);
  const findings = await runPreflight(
    {
      sts,
      s3Control: new S3ControlClient({ region: resolvedRegion }),
      lambda: new LambdaClient({ region: resolvedRegion }),
    },
    {
      region: resolvedRegion,
      supportedRegions: supportedRemotionRegions(),
      config,
      ...names,
    },
  );
  for (const finding of findings) print(finding);
  const failed = findings.filter((finding) => finding.status === 'fail').length;
  console.log(
    failed ? `${failed} check(s) failed: fix them before deploying.` : 'Ready to deploy.',
  );
  process.exitCode = failed ? 1 : 0;
};

await main();
