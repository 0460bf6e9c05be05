import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BackendIdentifier, DEFAULT_BACKEND } from '../../scripts/synth';
import {
  synthesizeForTests,
  type SynthesizedBackend,
  type TemplateJson,
} from './synthesized-backend';

// A sandbox and a branch deployed side by side in one account and region (Amplify Hosting
// passes the app id as the namespace and the git branch as the name).
const SANDBOX: BackendIdentifier = DEFAULT_BACKEND;
const BRANCH: BackendIdentifier = { namespace: 'd2f7renderstudio', name: 'main', type: 'branch' };

/**
 * `*Name` properties that are not account-wide physical names: they are unique only inside their
 * parent resource, or they name something the resource watches rather than the resource.
 */
const SCOPED_NAMES = new Set([
  'AWS::AppSync::GraphQLApi Name', // API names need not be unique; the API id is
  'AWS::AppSync::DataSource Name', // unique within its API
  'AWS::AppSync::FunctionConfiguration Name', // unique within its API
  'AWS::AppSync::Resolver TypeName', // a GraphQL type of its API
  'AWS::AppSync::Resolver FieldName', // a GraphQL field of its API
  'AWS::IAM::Policy PolicyName', // an inline policy, unique within the roles it attaches to
  'AWS::CloudWatch::Alarm MetricName', // the metric it watches, not the alarm's name
  'AWS::Cognito::UserPoolGroup GroupName', // unique within its user pool (each environment has its own)
]);

/** Every literal (plain string) `*Name` property of every resource, with where it is. */
const literalNamesOf = (backend: SynthesizedBackend): Map<string, string[]> => {
  const names = new Map<string, string[]>();
  for (const file of readdirSync(backend.outDir).filter((name) =>
    name.endsWith('.template.json'),
  )) {
    const template = JSON.parse(readFileSync(join(backend.outDir, file), 'utf8')) as TemplateJson;
    for (const [logicalId, resource] of Object.entries(template.Resources)) {
      for (const [property, value] of Object.entries(resource.Properties ?? {})) {
        if (!property.endsWith('Name') || typeof value !== 'string') continue;
        if (SCOPED_NAMES.has(`${resource.Type} ${property}`)) continue;
        const where = `${resource.Type} ${logicalId}.${property}`;
        names.set(value, [...(names.get(value) ?? []), where]);
      }
    }
  }
  return names;
};

describe('a sandbox and a branch in one account and region', () => {
  let sandbox: SynthesizedBackend;
  let branch: SynthesizedBackend;

  // One hook each: each synthesis gets the whole hook timeout.
  beforeAll(() => {
    sandbox = synthesizeForTests({ backend: SANDBOX });
  });
  beforeAll(() => {
    branch = synthesizeForTests({ backend: BRANCH });
  });

  afterAll(() => {
    for (const backend of [sandbox, branch]) {
      if (backend) rmSync(backend.outDir, { recursive: true, force: true });
    }
  });

  it('are two Amplify environments', () => {
    const rootsOf = (backend: SynthesizedBackend) =>
      readdirSync(backend.outDir).filter(
        (name) => name.endsWith('.template.json') && !name.includes('.nested.'),
      );
    expect(rootsOf(sandbox)).toEqual([expect.stringMatching(/^amplify-renderstudio-dev-sandbox-/)]);
    expect(rootsOf(branch)).toEqual([
      expect.stringMatching(/^amplify-d2f7renderstudio-main-branch-/),
    ]);
  });

  it('share no literal physical name', () => {
    const sandboxNames = literalNamesOf(sandbox);
    const branchNames = literalNamesOf(branch);
    // The Remotion function and its log group are named literally: the check sees them.
    expect(sandboxNames.size).toBeGreaterThan(0);
    const shared = [...sandboxNames]
      .filter(([name]) => branchNames.has(name))
      .map(([name, where]) => `"${name}" (${[...new Set(where)].join(', ')})`);
    expect(
      shared,
      'The second environment would fail to deploy (the name is taken) or take over the first ' +
        "one's resource: derive the name from the backend identifier (environmentTagOf) or let " +
        'CloudFormation generate it',
    ).toEqual([]);
  });
});
