import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Turns the synthesized CloudFormation templates (root and every nested stack) into the concrete
 * values a deploy would give them, with fake but consistent physical names and ARNs, so IAM
 * policies can be evaluated offline. Cross-stack references (nested-stack Parameters fed from a
 * sibling's Outputs) are followed the way CloudFormation follows them.
 */

export const FAKE_REGION = 'us-east-1';
export const FAKE_ACCOUNT = '123456789012';
export const FAKE_PARTITION = 'aws';

/** An IAM policy document, as in a template once every intrinsic is resolved. */
export interface PolicyDocument {
  Version?: string;
  Statement: Record<string, unknown>[];
}

/** One policy attached to an identity. */
export interface NamedPolicy {
  name: string;
  policy: PolicyDocument;
}

/** S3 Object Ownership as CloudFormation spells it. */
export type ObjectOwnership = 'BucketOwnerEnforced' | 'BucketOwnerPreferred' | 'ObjectWriter';

/** What S3 judges about a bucket besides IAM: its policy, object ownership and public access block. */
export interface BucketFacts {
  name: string;
  stack: string;
  logicalId: string;
  policy?: PolicyDocument;
  /** The effective setting: a bucket without `OwnershipControls` is created BucketOwnerEnforced. */
  objectOwnership: ObjectOwnership;
  /** Whether the template sets object ownership at all (false: S3's default applies). */
  objectOwnershipInTemplate: boolean;
  blockPublicAcls: boolean;
  restrictPublicBuckets: boolean;
}

/** A Lambda function of the backend with its concrete name, ARN, role and environment. */
export interface FunctionFacts {
  stack: string;
  logicalId: string;
  name: string;
  arn: string;
  roleArn: string;
  /** Amplify's name for it (`defineFunction({ name })`, its `amplify:friendly-name` tag), if it has one. */
  amplifyName?: string;
  /** Its log group (`/aws/lambda/<name>` unless the template names one). */
  logGroupName: string;
  environment: Record<string, string>;
}

/** An IAM role or user of the backend. */
export interface IdentityFacts {
  kind: 'role' | 'user';
  stack: string;
  logicalId: string;
  name: string;
  arn: string;
}

interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
}

interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Parameters?: Record<string, { Default?: unknown }>;
  Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  Conditions?: Record<string, unknown>;
  Outputs?: Record<string, { Value: unknown; Export?: { Name: unknown } }>;
}

interface StackNode {
  /** `root`, or the nested stack's path as synthesized-backend names it (`data`, `dataamplifyDataJob`). */
  name: string;
  template: CfnTemplate;
  parent?: { stack: StackNode; logicalId: string };
}

// AWS managed policies attached by ARN; the templates only name them. Documents as AWS publishes them
// (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaBasicExecutionRole.html).
const AWS_MANAGED_POLICIES: Record<string, PolicyDocument> = {
  [`arn:${FAKE_PARTITION}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole`]: {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: '*',
      },
    ],
  },
};

const NO_VALUE = Symbol('AWS::NoValue');

const hashOf = (text: string, length: number) =>
  createHash('sha256').update(text).digest('hex').slice(0, length);

/** A deterministic UUID-shaped id, so `AWS::StackId` splits the way a real one does. */
const fakeUuid = (seed: string) => {
  const hex = hashOf(seed, 32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};

const asString = (value: unknown, what: string): string => {
  if (typeof value !== 'string') {
    throw new Error(`${what} must resolve to a string, but got ${JSON.stringify(value)}`);
  }
  return value;
};

const arrayOf = (value: unknown): unknown[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** The synthesized backend as one fake account: every stack, resolved on demand. */
export class SynthesizedAccount {
  readonly region = FAKE_REGION;
  readonly accountId = FAKE_ACCOUNT;
  readonly partition = FAKE_PARTITION;
  private readonly stacks = new Map<string, StackNode>();

  constructor(outDir: string) {
    const files = readdirSync(outDir);
    const rootFile = files.find(
      (name) => name.endsWith('.template.json') && !name.includes('.nested.'),
    );
    if (!rootFile) throw new Error(`No root template in ${outDir}: ${files.join(', ')}`);
    const rootName = rootFile.replace('.template.json', '');
    const rootPrefix = rootName.replace(/[^A-Za-z0-9]/g, '');
    // Nested templates are file assets: the root's asset manifest maps each TemplateURL hash to its file.
    const manifest = JSON.parse(readFileSync(join(outDir, `${rootName}.assets.json`), 'utf8')) as {
      files: Record<string, { source: { path: string } }>;
    };
    const read = (file: string) =>
      JSON.parse(readFileSync(join(outDir, file), 'utf8')) as CfnTemplate;
    const load = (file: string, name: string, parent?: StackNode['parent']) => {
      const node: StackNode = { name, template: read(file), parent };
      this.stacks.set(name, node);
      for (const [logicalId, resource] of Object.entries(node.template.Resources)) {
        if (resource.Type !== 'AWS::CloudFormation::Stack') continue;
        const hash = /([0-9a-f]{64})\.json/.exec(JSON.stringify(resource.Properties?.TemplateURL));
        const childFile = hash && manifest.files[hash[1]!]?.source.path;
        if (!childFile)
          throw new Error(`No template file for nested stack ${logicalId} in ${name}`);
        const childName = childFile
          .replace(rootPrefix, '')
          .replace(/[0-9A-F]{8}\.nested\.template\.json$/, '');
        load(childFile, childName, { stack: node, logicalId });
      }
    };
    load(rootFile, 'root');
  }

  /** Names of every stack: `root`, `data`, `dataamplifyDataJob`, `remotion`, `storage`, ... */
  stackNames(): string[] {
    return [...this.stacks.keys()];
  }

  /** Every resource of `type`, in every stack, with its raw (unresolved) properties. */
  resourcesOfType(
    type: string,
  ): { stack: string; logicalId: string; properties: Record<string, unknown> }[] {
    return [...this.stacks.values()].flatMap((node) =>
      Object.entries(node.template.Resources)
        .filter(([, resource]) => resource.Type === type)
        .map(([logicalId, resource]) => ({
          stack: node.name,
          logicalId,
          properties: resource.Properties ?? {},
        })),
    );
  }

  /** Resolves every intrinsic in `value` as stack `stack` would see it at deploy time. */
  resolve(stack: string, value: unknown): unknown {
    const result = this.resolveIn(this.node(stack), value);
    return result === NO_VALUE ? undefined : result;
  }

  /** `Ref` of a resource: its fake physical id (a name, URL or ARN depending on the type). */
  ref(stack: string, logicalId: string): string {
    return this.refOf(this.node(stack), logicalId);
  }

  /** `Fn::GetAtt` of a resource. */
  getAtt(stack: string, logicalId: string, attribute: string): unknown {
    return this.getAttOf(this.node(stack), logicalId, attribute);
  }

  /** Every Lambda function of the backend, with its resolved name, ARN, role and environment. */
  functions(): FunctionFacts[] {
    return this.resourcesOfType('AWS::Lambda::Function').map(({ stack, logicalId, properties }) => {
      const name = this.ref(stack, logicalId);
      const environment = this.resolve(
        stack,
        (properties.Environment as { Variables?: unknown } | undefined)?.Variables ?? {},
      ) as Record<string, string>;
      const logGroup = properties.LoggingConfig as { LogGroup?: unknown } | undefined;
      const tags = (properties.Tags ?? []) as { Key: string; Value: unknown }[];
      const amplifyName = tags.find((tag) => tag.Key === 'amplify:friendly-name')?.Value;
      return {
        stack,
        logicalId,
        name,
        arn: asString(this.getAtt(stack, logicalId, 'Arn'), `${logicalId}.Arn`),
        roleArn: asString(this.resolve(stack, properties.Role), `${logicalId}.Role`),
        ...(typeof amplifyName === 'string' ? { amplifyName } : {}),
        logGroupName: logGroup?.LogGroup
          ? asString(this.resolve(stack, logGroup.LogGroup), `${logicalId} log group`)
          : `/aws/lambda/${name}`,
        environment,
      };
    });
  }

  /** The function whose environment has a variable named `variable` (exactly one must). */
  functionWithEnvironment(variable: string): FunctionFacts {
    const matches = this.resourcesOfType('AWS::Lambda::Function').filter(({ properties }) =>
      Object.hasOwn(
        (properties.Environment as { Variables?: object } | undefined)?.Variables ?? {},
        variable,
      ),
    );
    if (matches.length !== 1) {
      throw new Error(
        `Expected one function with ${variable} in its environment, found ${matches.length}: ${matches.map((m) => m.logicalId).join(', ')}`,
      );
    }
    return this.functions().find((fn) => fn.logicalId === matches[0]!.logicalId)!;
  }

  /** The function named `name`, as the worker's environment names it. */
  functionNamed(name: string): FunctionFacts {
    const match = this.functions().find((fn) => fn.name === name || fn.arn === name);
    if (!match) throw new Error(`No Lambda function named ${name} in the templates`);
    return match;
  }

  /** Every IAM role and user, with its fake ARN. */
  identities(): IdentityFacts[] {
    return [
      ...this.resourcesOfType('AWS::IAM::Role').map((item) => ({ ...item, kind: 'role' as const })),
      ...this.resourcesOfType('AWS::IAM::User').map((item) => ({ ...item, kind: 'user' as const })),
    ].map(({ stack, logicalId, kind }) => ({
      kind,
      stack,
      logicalId,
      name: this.ref(stack, logicalId),
      arn: asString(this.getAtt(stack, logicalId, 'Arn'), `${logicalId}.Arn`),
    }));
  }

  /** The role or user with this ARN. */
  identity(arn: string): IdentityFacts {
    const match = this.identities().find((identity) => identity.arn === arn);
    if (!match) throw new Error(`No IAM role or user with ARN ${arn} in the templates`);
    return match;
  }

  /**
   * Every identity policy of a role or user: its inline `Policies`, the `AWS::IAM::Policy` and
   * `AWS::IAM::ManagedPolicy` resources (any stack) that name it, and its `ManagedPolicyArns`.
   */
  identityPoliciesOf(arn: string): NamedPolicy[] {
    const identity = this.identity(arn);
    const properties = this.node(identity.stack).template.Resources[identity.logicalId]!
      .Properties ?? { Policies: [] };
    const inline = arrayOf(properties.Policies).map((policy) => {
      const { PolicyName, PolicyDocument } = this.resolve(identity.stack, policy) as {
        PolicyName: string;
        PolicyDocument: PolicyDocument;
      };
      return { name: PolicyName, policy: PolicyDocument };
    });
    const listKey = identity.kind === 'role' ? 'Roles' : 'Users';
    // Resolve only the attachment lists first: other policies may reference things this account does not model.
    const attached = [
      ...this.resourcesOfType('AWS::IAM::Policy'),
      ...this.resourcesOfType('AWS::IAM::ManagedPolicy'),
    ]
      .filter(({ stack, properties }) =>
        arrayOf(this.resolve(stack, properties[listKey])).includes(identity.name),
      )
      .map(({ stack, logicalId, properties }) => ({
        name: logicalId,
        policy: this.resolve(stack, properties.PolicyDocument) as PolicyDocument,
      }));
    const managed = arrayOf(this.resolve(identity.stack, properties.ManagedPolicyArns)).map(
      (policyArn) => {
        const known = AWS_MANAGED_POLICIES[String(policyArn)];
        if (known) return { name: String(policyArn), policy: known };
        const own = this.resourcesOfType('AWS::IAM::ManagedPolicy').find(
          ({ stack, logicalId }) => this.ref(stack, logicalId) === policyArn,
        );
        if (own) return null; // already attached above through its Roles/Users list
        throw new Error(
          `${identity.logicalId} has managed policy ${String(policyArn)}, whose document template-resolver does not know: add it to AWS_MANAGED_POLICIES.`,
        );
      },
    );
    return [...inline, ...attached, ...managed.filter((policy) => policy !== null)];
  }

  /** The bucket named `name` and what S3 judges about it besides IAM. */
  bucket(name: string): BucketFacts {
    const match = this.resourcesOfType('AWS::S3::Bucket').find(
      ({ stack, logicalId }) => this.ref(stack, logicalId) === name,
    );
    if (!match) throw new Error(`No AWS::S3::Bucket named ${name} in the templates`);
    const props = this.resolve(match.stack, match.properties) as {
      OwnershipControls?: { Rules?: { ObjectOwnership?: ObjectOwnership }[] };
      PublicAccessBlockConfiguration?: Record<string, boolean>;
    };
    const ownership = props.OwnershipControls?.Rules?.[0]?.ObjectOwnership;
    const policies = this.resourcesOfType('AWS::S3::BucketPolicy').filter(
      ({ stack, properties }) => this.resolve(stack, properties.Bucket) === name,
    );
    const block = props.PublicAccessBlockConfiguration;
    return {
      name,
      stack: match.stack,
      logicalId: match.logicalId,
      policy: policies[0]
        ? (this.resolve(policies[0].stack, policies[0].properties.PolicyDocument) as PolicyDocument)
        : undefined,
      objectOwnership: ownership ?? 'BucketOwnerEnforced',
      objectOwnershipInTemplate: ownership !== undefined,
      // New buckets block public access entirely unless the template says otherwise.
      blockPublicAcls: block?.BlockPublicAcls ?? true,
      restrictPublicBuckets: block?.RestrictPublicBuckets ?? true,
    };
  }

  /** The queue policy (`AWS::SQS::QueuePolicy`) of the queue with this ARN, if any. */
  queuePolicy(queueArn: string): PolicyDocument | undefined {
    const queue = this.resourcesOfType('AWS::SQS::Queue').find(
      ({ stack, logicalId }) => this.getAtt(stack, logicalId, 'Arn') === queueArn,
    );
    if (!queue) throw new Error(`No AWS::SQS::Queue with ARN ${queueArn} in the templates`);
    const url = this.ref(queue.stack, queue.logicalId);
    const policy = this.resourcesOfType('AWS::SQS::QueuePolicy').find(({ stack, properties }) =>
      arrayOf(this.resolve(stack, properties.Queues)).includes(url),
    );
    return policy
      ? (this.resolve(policy.stack, policy.properties.PolicyDocument) as PolicyDocument)
      : undefined;
  }

  /**
   * The function's resource policy: its `AWS::Lambda::Permission`s as policy statements (which
   * services or accounts may invoke it, from which source).
   */
  lambdaPermissionPolicy(functionArn: string): PolicyDocument | undefined {
    const name = functionArn.split(':').pop();
    const statements = this.resourcesOfType('AWS::Lambda::Permission')
      .map(({ stack, logicalId, properties }) => ({
        logicalId,
        props: this.resolve(stack, properties) as Record<string, string>,
      }))
      .filter(({ props }) => props.FunctionName === functionArn || props.FunctionName === name)
      .map(({ logicalId, props }) => {
        const condition: Record<string, Record<string, string>> = {};
        if (props.SourceAccount)
          condition.StringEquals = { 'AWS:SourceAccount': props.SourceAccount };
        if (props.SourceArn) condition.ArnLike = { 'AWS:SourceArn': props.SourceArn };
        const principal = props.Principal!;
        return {
          Sid: logicalId,
          Effect: 'Allow',
          Principal: principal.endsWith('.amazonaws.com')
            ? { Service: principal }
            : { AWS: principal },
          Action: props.Action,
          Resource: functionArn,
          ...(Object.keys(condition).length ? { Condition: condition } : {}),
        };
      });
    return statements.length ? { Version: '2012-10-17', Statement: statements } : undefined;
  }

  /** The CloudFront distribution serving `domainName`, and the S3 bucket its default behaviour reads. */
  distributionServing(domainName: string): { arn: string; originBucket: string } {
    const match = this.resourcesOfType('AWS::CloudFront::Distribution').find(
      ({ stack, logicalId }) => this.getAtt(stack, logicalId, 'DomainName') === domainName,
    );
    if (!match) throw new Error(`No AWS::CloudFront::Distribution serves ${domainName}`);
    const config = this.resolve(match.stack, match.properties.DistributionConfig) as {
      DefaultCacheBehavior: { TargetOriginId: string };
      Origins: { Id: string; DomainName: string }[];
    };
    const origin = config.Origins.find(
      (candidate) => candidate.Id === config.DefaultCacheBehavior.TargetOriginId,
    );
    const bucket =
      origin && /^(.+)\.s3\.([a-z0-9-]+\.)?amazonaws\.com$/.exec(origin.DomainName)?.[1];
    if (!bucket) throw new Error(`Distribution ${match.logicalId} does not serve an S3 bucket`);
    return {
      arn: `arn:${FAKE_PARTITION}:cloudfront::${FAKE_ACCOUNT}:distribution/${this.ref(match.stack, match.logicalId)}`,
      originBucket: bucket,
    };
  }

  /** The value of the SSM parameter (`AWS::SSM::Parameter`) with this name. */
  ssmParameter(name: string): string {
    const match = this.resourcesOfType('AWS::SSM::Parameter').find(
      ({ stack, properties }) => this.resolve(stack, properties.Name) === name,
    );
    if (!match) throw new Error(`No AWS::SSM::Parameter named ${name} in the templates`);
    return asString(this.resolve(match.stack, match.properties.Value), `SSM parameter ${name}`);
  }

  private node(name: string): StackNode {
    const node = this.stacks.get(name);
    if (!node) throw new Error(`No stack "${name}"; stacks are ${this.stackNames().join(', ')}`);
    return node;
  }

  private stackId(node: StackNode) {
    return `arn:${FAKE_PARTITION}:cloudformation:${FAKE_REGION}:${FAKE_ACCOUNT}:stack/${this.stackName(node)}/${fakeUuid(node.name)}`;
  }

  private stackName(node: StackNode) {
    return node.name === 'root' ? 'amplify-fake-root' : `amplify-fake-${node.name}`;
  }

  private resolveIn(node: StackNode, value: unknown): unknown {
    if (Array.isArray(value)) {
      return value.map((item) => this.resolveIn(node, item)).filter((item) => item !== NO_VALUE);
    }
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1) {
      const [key, argument] = entries[0]!;
      if (key === 'Ref' || key === 'Condition' || key.startsWith('Fn::')) {
        return this.intrinsic(node, key, argument);
      }
    }
    const result: Record<string, unknown> = {};
    for (const [key, item] of entries) {
      const resolved = this.resolveIn(node, item);
      if (resolved !== NO_VALUE) result[key] = resolved;
    }
    return result;
  }

  private intrinsic(node: StackNode, name: string, argument: unknown): unknown {
    const resolve = (item: unknown) => this.resolveIn(node, item);
    const args = Array.isArray(argument) ? argument : [argument];
    switch (name) {
      case 'Ref':
        return this.refIn(node, asString(argument, 'Ref'));
      case 'Fn::GetAtt': {
        const [logicalId, ...attribute] =
          typeof argument === 'string' ? argument.split('.') : (argument as string[]);
        return this.getAttOf(node, logicalId!, attribute.join('.'));
      }
      case 'Fn::Join': {
        const [separator, items] = args as [string, unknown];
        return (resolve(items) as unknown[])
          .map((item) => asString(item, 'Fn::Join item'))
          .join(separator);
      }
      case 'Fn::Sub': {
        const [template, variables = {}] = args as [string, Record<string, unknown>?];
        return template.replace(/\$\{([^}!]+)\}/g, (_, variable: string) => {
          if (variable in variables) return asString(resolve(variables[variable]), variable);
          const [logicalId, ...attribute] = variable.split('.');
          return asString(
            attribute.length
              ? this.getAttOf(node, logicalId!, attribute.join('.'))
              : this.refIn(node, variable),
            variable,
          );
        });
      }
      case 'Fn::Select': {
        const [index, list] = args as [unknown, unknown];
        const items = resolve(list) as unknown[];
        const item = items[Number(resolve(index))];
        if (item === undefined)
          throw new Error(`Fn::Select ${String(index)} out of ${JSON.stringify(items)}`);
        return item;
      }
      case 'Fn::Split': {
        const [separator, text] = args as [string, unknown];
        return asString(resolve(text), 'Fn::Split source').split(separator);
      }
      case 'Fn::ImportValue':
        return this.importValue(asString(resolve(argument), 'Fn::ImportValue'));
      case 'Fn::FindInMap': {
        const [map, top, second] = (args as unknown[]).map((item) => resolve(item)) as string[];
        const value = node.template.Mappings?.[map!]?.[top!]?.[second!];
        if (value === undefined)
          throw new Error(`Fn::FindInMap found nothing at ${map}.${top}.${second}`);
        return value;
      }
      case 'Fn::If': {
        const [condition, whenTrue, whenFalse] = args as [string, unknown, unknown];
        return resolve(this.condition(node, condition) ? whenTrue : whenFalse);
      }
      case 'Condition':
        return this.condition(node, asString(argument, 'Condition'));
      case 'Fn::Equals': {
        const [left, right] = (args as unknown[]).map((item) => resolve(item));
        return JSON.stringify(left) === JSON.stringify(right);
      }
      case 'Fn::Not':
        return !resolve(args[0]);
      case 'Fn::And':
        return (args as unknown[]).every((item) => resolve(item) === true);
      case 'Fn::Or':
        return (args as unknown[]).some((item) => resolve(item) === true);
      case 'Fn::Base64':
        return Buffer.from(asString(resolve(argument), 'Fn::Base64')).toString('base64');
      case 'Fn::GetAZs':
        return ['a', 'b', 'c'].map((zone) => `${FAKE_REGION}${zone}`);
      default:
        throw new Error(`template-resolver does not know ${name} (in stack ${node.name})`);
    }
  }

  private condition(node: StackNode, name: string): boolean {
    const definition = node.template.Conditions?.[name];
    if (definition === undefined) throw new Error(`No condition ${name} in stack ${node.name}`);
    return this.resolveIn(node, definition) === true;
  }

  private importValue(exportName: string): unknown {
    for (const node of this.stacks.values()) {
      for (const output of Object.values(node.template.Outputs ?? {})) {
        if (output.Export && this.resolveIn(node, output.Export.Name) === exportName) {
          return this.resolveIn(node, output.Value);
        }
      }
    }
    throw new Error(`No stack exports ${exportName}`);
  }

  private refIn(node: StackNode, name: string): unknown {
    switch (name) {
      case 'AWS::Region':
        return FAKE_REGION;
      case 'AWS::AccountId':
        return FAKE_ACCOUNT;
      case 'AWS::Partition':
        return FAKE_PARTITION;
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::StackId':
        return this.stackId(node);
      case 'AWS::StackName':
        return this.stackName(node);
      case 'AWS::NoValue':
        return NO_VALUE;
      case 'AWS::NotificationARNs':
        return [];
    }
    const parameter = node.template.Parameters?.[name];
    if (parameter) {
      // A nested stack's parameter is what its parent passes (often a sibling's output).
      const passed = node.parent
        ? (
            node.parent.stack.template.Resources[node.parent.logicalId]!.Properties?.Parameters as
              Record<string, unknown> | undefined
          )?.[name]
        : undefined;
      if (passed !== undefined) return this.resolveIn(node.parent!.stack, passed);
      if ('Default' in parameter) return parameter.Default;
      throw new Error(`Parameter ${name} of stack ${node.name} has no value and no default`);
    }
    return this.refOf(node, name);
  }

  private resource(node: StackNode, logicalId: string): CfnResource {
    const resource = node.template.Resources[logicalId];
    if (!resource) throw new Error(`No resource or parameter ${logicalId} in stack ${node.name}`);
    return resource;
  }

  /** The physical name the template gives a resource, or a fake one made from stack and logical id. */
  private physicalName(node: StackNode, logicalId: string): string {
    const { Type: type, Properties: props = {} } = this.resource(node, logicalId);
    const nameProperty = {
      'AWS::S3::Bucket': 'BucketName',
      'AWS::SQS::Queue': 'QueueName',
      'AWS::Lambda::Function': 'FunctionName',
      'AWS::IAM::Role': 'RoleName',
      'AWS::IAM::User': 'UserName',
      'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
      'AWS::SecretsManager::Secret': 'Name',
      'AWS::DynamoDB::Table': 'TableName',
      'Custom::AmplifyDynamoDBTable': 'tableName',
      'AWS::Logs::LogGroup': 'LogGroupName',
      'AWS::SSM::Parameter': 'Name',
      'AWS::AppSync::DataSource': 'Name',
      'AWS::StepFunctions::StateMachine': 'StateMachineName',
      'AWS::Events::Rule': 'Name',
    }[type];
    if (nameProperty && props[nameProperty] !== undefined) {
      return asString(this.resolveIn(node, props[nameProperty]), `${logicalId}.${nameProperty}`);
    }
    const fake = `${node.name}-${logicalId}`;
    if (type === 'AWS::S3::Bucket') return fake.toLowerCase().slice(0, 63);
    if (type === 'AWS::Logs::LogGroup') return `/fake/${fake}`;
    return fake;
  }

  private arn(service: string, resource: string, { region = true, account = true } = {}) {
    return `arn:${FAKE_PARTITION}:${service}:${region ? FAKE_REGION : ''}:${account ? FAKE_ACCOUNT : ''}:${resource}`;
  }

  private apiId(node: StackNode, logicalId: string) {
    return hashOf(`${node.name}/${logicalId}`, 26);
  }

  private refOf(node: StackNode, logicalId: string): string {
    const { Type: type } = this.resource(node, logicalId);
    const name = () => this.physicalName(node, logicalId);
    switch (type) {
      case 'AWS::SQS::Queue':
        return `https://sqs.${FAKE_REGION}.amazonaws.com/${FAKE_ACCOUNT}/${name()}`;
      case 'AWS::IAM::ManagedPolicy':
        return this.arn('iam', `policy/${name()}`, { region: false });
      case 'AWS::IAM::AccessKey':
        return `AKIA${hashOf(`${node.name}/${logicalId}`, 16).toUpperCase()}`;
      case 'AWS::SecretsManager::Secret':
        return this.arn('secretsmanager', `secret:${name()}-${hashOf(logicalId, 6)}`);
      case 'AWS::AppSync::GraphQLApi':
        return this.arn('appsync', `apis/${this.apiId(node, logicalId)}`);
      case 'AWS::CloudFormation::Stack': {
        const child = [...this.stacks.values()].find(
          (candidate) =>
            candidate.parent?.stack === node && candidate.parent.logicalId === logicalId,
        )!;
        return this.stackId(child);
      }
      case 'AWS::Lambda::LayerVersion':
        return this.arn('lambda', `layer:${name()}:1`);
      case 'AWS::StepFunctions::StateMachine':
        return this.arn('states', `stateMachine:${name()}`);
      case 'AWS::CloudFront::Distribution':
      case 'AWS::CloudFront::OriginAccessControl':
        return `E${hashOf(`${node.name}/${logicalId}`, 13).toUpperCase()}`;
      default:
        return name();
    }
  }

  private getAttOf(node: StackNode, logicalId: string, attribute: string): unknown {
    const { Type: type, Properties: props = {} } = this.resource(node, logicalId);
    const name = () => this.physicalName(node, logicalId);
    const fail = () => {
      throw new Error(
        `template-resolver cannot give ${attribute} of ${type} ${logicalId} (stack ${node.name}): teach it this attribute.`,
      );
    };
    if (type === 'AWS::CloudFormation::Stack') {
      if (!attribute.startsWith('Outputs.')) return fail();
      const child = [...this.stacks.values()].find(
        (candidate) => candidate.parent?.stack === node && candidate.parent.logicalId === logicalId,
      );
      const output = child?.template.Outputs?.[attribute.slice('Outputs.'.length)];
      if (!child || !output) return fail();
      return this.resolveIn(child, output.Value);
    }
    const attributes: Record<string, Record<string, () => unknown>> = {
      'AWS::S3::Bucket': {
        Arn: () => `arn:${FAKE_PARTITION}:s3:::${name()}`,
        DomainName: () => `${name()}.s3.amazonaws.com`,
        RegionalDomainName: () => `${name()}.s3.${FAKE_REGION}.amazonaws.com`,
        WebsiteURL: () => `http://${name()}.s3-website-${FAKE_REGION}.amazonaws.com`,
      },
      'AWS::SQS::Queue': {
        Arn: () => this.arn('sqs', name()),
        QueueName: name,
        QueueUrl: () => this.refOf(node, logicalId),
      },
      'AWS::Lambda::Function': { Arn: () => this.arn('lambda', `function:${name()}`) },
      // A function URL: `https://<url id>.lambda-url.<region>.on.aws/`, as Lambda forms it.
      'AWS::Lambda::Url': {
        FunctionUrl: () =>
          `https://${hashOf(`${node.name}/${logicalId}`, 32)}.lambda-url.${FAKE_REGION}.on.aws/`,
        FunctionArn: () => this.resolveIn(node, props.TargetFunctionArn),
      },
      'AWS::Lambda::LayerVersion': { LayerVersionArn: () => this.refOf(node, logicalId) },
      'AWS::IAM::Role': {
        Arn: () => this.arn('iam', `role/${name()}`, { region: false }),
        RoleId: () => `AROA${hashOf(logicalId, 16).toUpperCase()}`,
      },
      'AWS::IAM::User': { Arn: () => this.arn('iam', `user/${name()}`, { region: false }) },
      'AWS::IAM::AccessKey': {
        SecretAccessKey: () => hashOf(`secret/${node.name}/${logicalId}`, 40),
      },
      'AWS::SecretsManager::Secret': { Id: () => this.refOf(node, logicalId) },
      'AWS::AppSync::GraphQLApi': {
        ApiId: () => this.apiId(node, logicalId),
        Arn: () => this.refOf(node, logicalId),
        GraphQLUrl: () =>
          `https://${this.apiId(node, logicalId)}.appsync-api.${FAKE_REGION}.amazonaws.com/graphql`,
        GraphQLDns: () => `${this.apiId(node, logicalId)}.appsync-api.${FAKE_REGION}.amazonaws.com`,
        RealtimeUrl: () =>
          `wss://${this.apiId(node, logicalId)}.appsync-realtime-api.${FAKE_REGION}.amazonaws.com/graphql`,
      },
      'AWS::AppSync::DataSource': {
        Name: name,
        DataSourceArn: () => {
          const api = asString(this.resolveIn(node, props.ApiId), `${logicalId}.ApiId`);
          return this.arn('appsync', `apis/${api}/datasources/${name()}`);
        },
      },
      'AWS::DynamoDB::Table': {
        Arn: () => this.arn('dynamodb', `table/${name()}`),
        StreamArn: () => this.arn('dynamodb', `table/${name()}/stream/2024-01-01T00:00:00.000`),
      },
      'Custom::AmplifyDynamoDBTable': {
        TableArn: () => this.arn('dynamodb', `table/${name()}`),
        TableName: name,
        TableStreamArn: () =>
          this.arn('dynamodb', `table/${name()}/stream/2024-01-01T00:00:00.000`),
      },
      'AWS::Logs::LogGroup': { Arn: () => this.arn('logs', `log-group:${name()}:*`) },
      'AWS::Events::Rule': { Arn: () => this.arn('events', `rule/${name()}`) },
      'AWS::StepFunctions::StateMachine': { Arn: () => this.refOf(node, logicalId), Name: name },
      'AWS::Cognito::UserPool': {
        Arn: () => this.arn('cognito-idp', `userpool/${this.refOf(node, logicalId)}`),
      },
      'AWS::CloudFront::Distribution': {
        Id: () => this.refOf(node, logicalId),
        DomainName: () => `d${hashOf(`${node.name}/${logicalId}`, 13)}.cloudfront.net`,
      },
      'AWS::CloudFront::OriginAccessControl': { Id: () => this.refOf(node, logicalId) },
      'Custom::CDKBucketDeployment': {
        DestinationBucketArn: () =>
          `arn:${FAKE_PARTITION}:s3:::${asString(this.resolveIn(node, props.DestinationBucketName), 'DestinationBucketName')}`,
      },
    };
    const get = attributes[type]?.[attribute];
    return get ? get() : fail();
  }
}

/** Loads every template synthesized into `outDir` as one fake account. */
export const loadSynthesizedAccount = (outDir: string): SynthesizedAccount =>
  new SynthesizedAccount(outDir);
