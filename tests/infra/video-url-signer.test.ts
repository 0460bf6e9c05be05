import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPipelineConfig } from '../../amplify/render-pipeline/config';
import { oldKeyGraceSecondsOf } from '../../amplify/storage/video-url-signer';
import {
  synthesizeForTests,
  type SynthesizedBackend,
  type TemplateJson,
} from './synthesized-backend';

// The synth child process sees this same environment, so this is the config it used.
const config = readPipelineConfig(process.env);

type Resource = TemplateJson['Resources'][string];
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

const resourcesOf = (json: TemplateJson, type: string): [string, Resource][] =>
  Object.entries(json.Resources).filter(([, resource]) => resource.Type === type);
const only = <T>(items: T[], what: string): T => {
  if (items.length !== 1) throw new Error(`Expected exactly one ${what}, found ${items.length}`);
  return items[0]!;
};
const getAtt = (logicalId: string, attribute: string) => ({
  'Fn::GetAtt': [logicalId, attribute],
});

describe('the video-URL signer key rotation', () => {
  let backend: SynthesizedBackend;
  let storage: TemplateJson;
  let userId: string;
  let secretId: string;
  let rotatorId: string;
  let rotator: Resource;

  beforeAll(() => {
    backend = synthesizeForTests();
    storage = backend.nested('storage').json;
    [userId] = only(resourcesOf(storage, 'AWS::IAM::User'), 'signer user');
    [secretId] = only(resourcesOf(storage, 'AWS::SecretsManager::Secret'), 'signer secret');
    [rotatorId, rotator] = only(
      resourcesOf(storage, 'AWS::Lambda::Function').filter(([id]) =>
        id.startsWith('signerkeyrotation'),
      ),
      'signer-key-rotation function',
    );
  });

  afterAll(() => {
    if (backend) rmSync(backend.outDir, { recursive: true, force: true });
  });

  it('rotates the secret with the rotation function on a schedule, first at once', () => {
    const [, schedule] = only(
      resourcesOf(storage, 'AWS::SecretsManager::RotationSchedule'),
      'rotation schedule',
    );

    expect(schedule.Properties).toEqual({
      SecretId: { Ref: secretId },
      RotationLambdaARN: getAtt(rotatorId, 'Arn'),
      RotationRules: { ScheduleExpression: 'rate(30 days)' },
      RotateImmediatelyOnUpdate: true,
    });
    // Secrets Manager may invoke the function (this account only) before the schedule exists.
    const [permissionId, permission] = only(
      resourcesOf(storage, 'AWS::Lambda::Permission').filter(
        ([, candidate]) => candidate.Properties?.Principal === 'secretsmanager.amazonaws.com',
      ),
      'Secrets Manager invoke permission',
    );
    expect(permission.Properties).toMatchObject({
      Action: 'lambda:InvokeFunction',
      FunctionName: getAtt(rotatorId, 'Arn'),
      SourceAccount: { Ref: 'AWS::AccountId' },
    });
    expect(schedule.DependsOn).toContain(permissionId);
  });

  it('keeps every key out of CloudFormation: no AccessKey, and a generated placeholder until the first rotation', () => {
    const templates = readdirSync(backend.outDir).filter((name) => name.endsWith('.template.json'));
    for (const name of templates) {
      const json = JSON.parse(readFileSync(join(backend.outDir, name), 'utf8')) as TemplateJson;
      expect(resourcesOf(json, 'AWS::IAM::AccessKey'), name).toEqual([]);
    }
    const secret = storage.Resources[secretId]!;
    expect(secret.Properties).not.toHaveProperty('SecretString');
    expect(secret.Properties).toHaveProperty('GenerateSecretString');
  });

  it("lets the rotation function manage only the signer user's keys and only the signer secret", () => {
    const role = (rotator.Properties?.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const statements = resourcesOf(storage, 'AWS::IAM::Policy')
      .filter(([, policy]) => JSON.stringify(policy.Properties?.Roles ?? []).includes(`"${role}"`))
      .flatMap(
        ([, policy]) => (policy.Properties?.PolicyDocument as { Statement: Statement[] }).Statement,
      );
    const inlinePolicies = storage.Resources[role]!.Properties?.Policies;

    expect(inlinePolicies).toBeUndefined();
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: ['iam:ListAccessKeys', 'iam:CreateAccessKey', 'iam:DeleteAccessKey'],
        Resource: getAtt(userId, 'Arn'),
      },
      {
        Effect: 'Allow',
        Action: [
          'secretsmanager:DescribeSecret',
          'secretsmanager:GetSecretValue',
          'secretsmanager:PutSecretValue',
          'secretsmanager:UpdateSecretVersionStage',
        ],
        Resource: { Ref: secretId },
      },
    ]);
  });

  it('tells the rotation function its user and how long a replaced key must keep working', () => {
    const env = (rotator.Properties?.Environment as { Variables: Record<string, unknown> })
      .Variables;

    expect(env.SIGNER_USER_NAME).toEqual({ Ref: userId });
    expect(Number(env.OLD_KEY_GRACE_SECONDS)).toBe(oldKeyGraceSecondsOf(config.videoUrlTtlSeconds));
    expect(Number(env.OLD_KEY_GRACE_SECONDS)).toBeGreaterThan(config.videoUrlTtlSeconds);
    expect(rotator.Properties?.Timeout).toBeGreaterThanOrEqual(45); // testSecret waits up to 30 s
  });

  it("deletes the user's keys before the user when the stack is deleted", () => {
    const [, cleanup] = only(
      resourcesOf(storage, 'Custom::SignerKeyCleanup'),
      'signer key cleanup resource',
    );

    // Referring to the user and the function makes CloudFormation delete this first.
    expect(cleanup.Properties).toMatchObject({
      ServiceToken: getAtt(rotatorId, 'Arn'),
      UserName: { Ref: userId },
    });
  });
});
