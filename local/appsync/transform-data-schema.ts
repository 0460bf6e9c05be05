import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { App, AssetStaging, Stack, Token } from 'aws-cdk-lib';
import { CfnDataSource, CfnFunctionConfiguration, CfnResolver } from 'aws-cdk-lib/aws-appsync';
import { UserPool } from 'aws-cdk-lib/aws-cognito';
import { CfnTable } from 'aws-cdk-lib/aws-dynamodb';
import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { AmplifyGraphqlApi, AmplifyGraphqlDefinition } from '@aws-amplify/graphql-api-construct';

/** A DynamoDB table the transformer defines for a model. */
export interface ModelTableDefinition {
  modelName: string;
  keySchema: { attributeName: string; keyType: 'HASH' | 'RANGE' }[];
  attributeDefinitions: { attributeName: string; attributeType: 'S' | 'N' | 'B' }[];
  globalSecondaryIndexes: {
    indexName: string;
    keySchema: { attributeName: string; keyType: 'HASH' | 'RANGE' }[];
    projectionType: 'ALL' | 'KEYS_ONLY' | 'INCLUDE';
  }[];
}

/** The transformer's output, in the shape the AppSync simulator consumes (templates inlined). */
export interface TransformedApi {
  /** The full AppSync schema, with the `@aws_*` directives the transformer adds. */
  schema: string;
  tables: ModelTableDefinition[];
  dataSources: {
    name: string;
    type: 'AMAZON_DYNAMODB' | 'NONE' | 'AWS_LAMBDA';
    modelName?: string;
    functionName?: string;
  }[];
  functions: {
    name: string;
    dataSourceName: string;
    requestMappingTemplate: string;
    responseMappingTemplate: string;
  }[];
  resolvers: {
    typeName: string;
    fieldName: string;
    requestMappingTemplate: string;
    responseMappingTemplate: string;
    /** Pipeline functions, or a data source for a unit resolver. */
    functions?: string[];
    dataSourceName?: string;
  }[];
}

/** Values substituted for CloudFormation references inside the generated templates. */
export interface TransformEnvironment {
  apiId: string;
  /** Table name for a model, e.g. `Job` → `Job-local`. */
  tableNameOf(modelName: string): string;
}

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

/**
 * Runs Amplify's own GraphQL transformer (through the same construct `defineData` uses, with the same
 * auth modes: user pool default + IAM enabled) on an SDL, and reads back resolvers, functions and tables.
 */
export function transformDataSchema(
  sdl: string,
  environment: TransformEnvironment,
): TransformedApi {
  // Asset staging off: assets stay at their source paths, nothing is written to a cloud assembly.
  const app = new App({ context: { 'aws:cdk:disable-asset-staging': true } });
  const stack = new Stack(app, 'local', { env: { account: ACCOUNT, region: REGION } });
  const api = new AmplifyGraphqlApi(stack, 'data', {
    definition: AmplifyGraphqlDefinition.fromString(sdl),
    authorizationModes: {
      defaultAuthorizationMode: 'AMAZON_COGNITO_USER_POOLS',
      userPoolConfig: { userPool: UserPool.fromUserPoolId(stack, 'userPool', 'local') },
      iamConfig: { enableIamAuthorizationMode: true },
    },
    // `@function(name: …)` handlers become Lambda data sources; local mode invokes them in-process.
    functionNameMap: Object.fromEntries(
      [...sdl.matchAll(/@function\(\s*name:\s*"([^"]+)"/g)].map(([, name]) => [
        name,
        LambdaFunction.fromFunctionAttributes(stack, `function-${name}`, {
          functionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`,
          sameEnvironment: true,
        }),
      ]),
    ),
  });
  const cfn = api.resources.cfnResources;

  // The schema asset is created lazily, when its location is first resolved.
  const schemaCfn = cfn.cfnGraphqlSchema;
  const schemaUrl: unknown = Stack.of(schemaCfn).resolve(schemaCfn.definitionS3Location);
  const assetByUrl = new Map<string, string>();
  for (const construct of app.node.findAll()) {
    if (!(construct instanceof Asset)) continue;
    const staging = construct.node.tryFindChild('Stage');
    if (staging instanceof AssetStaging) assetByUrl.set(construct.s3ObjectUrl, staging.sourcePath);
  }
  const schemaPath = typeof schemaUrl === 'string' ? assetByUrl.get(schemaUrl) : undefined;
  if (!schemaPath)
    throw new Error(
      `transformDataSchema: the transformer's schema asset was not found (${String(schemaUrl)})`,
    );

  const tableLogicalIds = new Map<string, string>();
  const tables: ModelTableDefinition[] = Object.entries(cfn.cfnTables).map(([modelName, table]) => {
    tableLogicalIds.set(Stack.of(table).getLogicalId(table), modelName);
    return readTableDefinition(modelName, table);
  });

  const resolveText = (value: string | undefined, scope: Stack, what: string): string => {
    if (value === undefined) throw new Error(`transformDataSchema: ${what} has no template`);
    return joinResolved(scope.resolve(value), environment, tableLogicalIds, what);
  };
  const readTemplate = (
    inline: string | undefined,
    s3Location: string | undefined,
    scope: Stack,
    what: string,
  ): string => {
    if (inline !== undefined) return resolveText(inline, scope, what);
    const path = s3Location && assetByUrl.get(s3Location);
    if (!path)
      throw new Error(
        `transformDataSchema: ${what} refers to an unknown template asset ${s3Location}`,
      );
    return readFileSync(path, 'utf8');
  };

  const dataSourceByToken = new Map<string, string>();
  const dataSources: TransformedApi['dataSources'] = Object.values(cfn.cfnDataSources).map(
    (source: CfnDataSource) => {
      dataSourceByToken.set(source.attrName, source.name);
      dataSourceByToken.set(source.name, source.name);
      if (source.type === 'AMAZON_DYNAMODB') {
        return {
          name: source.name,
          type: 'AMAZON_DYNAMODB',
          modelName: source.name.replace(/Table$/, ''),
        };
      }
      if (source.type === 'AWS_LAMBDA') {
        return {
          name: source.name,
          type: 'AWS_LAMBDA',
          functionName: source.name.replace(/LambdaDataSource$/, ''),
        };
      }
      if (source.type === 'NONE') return { name: source.name, type: 'NONE' };
      throw new Error(
        `transformDataSchema: data source ${source.name} has type ${source.type}; local mode supports DynamoDB, Lambda and NONE`,
      );
    },
  );
  const dataSourceName = (token: string | undefined, what: string): string => {
    const name = token && dataSourceByToken.get(token);
    if (!name) throw new Error(`transformDataSchema: ${what} uses an unknown data source ${token}`);
    return name;
  };

  const functionByToken = new Map<string, string>();
  const functions: TransformedApi['functions'] = Object.values(cfn.cfnFunctionConfigurations).map(
    (fn: CfnFunctionConfiguration) => {
      if (fn.runtime)
        throw new Error(
          `transformDataSchema: function ${fn.name} is a JS resolver; the simulator runs VTL only`,
        );
      functionByToken.set(fn.attrFunctionId, fn.name);
      const scope = Stack.of(fn);
      return {
        name: fn.name,
        dataSourceName: dataSourceName(fn.dataSourceName, `function ${fn.name}`),
        requestMappingTemplate: readTemplate(
          fn.requestMappingTemplate,
          fn.requestMappingTemplateS3Location,
          scope,
          `${fn.name} request`,
        ),
        responseMappingTemplate: readTemplate(
          fn.responseMappingTemplate,
          fn.responseMappingTemplateS3Location,
          scope,
          `${fn.name} response`,
        ),
      };
    },
  );

  const resolvers: TransformedApi['resolvers'] = Object.values(cfn.cfnResolvers).map(
    (resolver: CfnResolver) => {
      const what = `resolver ${resolver.typeName}.${resolver.fieldName}`;
      if (resolver.runtime)
        throw new Error(
          `transformDataSchema: ${what} is a JS resolver; the simulator runs VTL only`,
        );
      const scope = Stack.of(resolver);
      const pipeline = resolver.pipelineConfig;
      const functionTokens =
        pipeline && !Token.isUnresolved(pipeline)
          ? (pipeline as CfnResolver.PipelineConfigProperty).functions
          : undefined;
      return {
        typeName: resolver.typeName,
        fieldName: resolver.fieldName,
        requestMappingTemplate: readTemplate(
          resolver.requestMappingTemplate,
          resolver.requestMappingTemplateS3Location,
          scope,
          `${what} request`,
        ),
        responseMappingTemplate: readTemplate(
          resolver.responseMappingTemplate,
          resolver.responseMappingTemplateS3Location,
          scope,
          `${what} response`,
        ),
        ...(resolver.kind === 'PIPELINE'
          ? {
              functions: (functionTokens ?? []).map((token) => {
                const name = functionByToken.get(token);
                if (!name)
                  throw new Error(
                    `transformDataSchema: ${what} refers to an unknown function ${token}`,
                  );
                return name;
              }),
            }
          : { dataSourceName: dataSourceName(resolver.dataSourceName, what) }),
      };
    },
  );

  const result = {
    schema: readFileSync(schemaPath, 'utf8'),
    tables,
    dataSources,
    functions,
    resolvers,
  };
  // Everything is read: remove the temporary folders the construct wrote its templates into.
  const tempRoot = tmpdir();
  const assetDirs = new Set(
    [...assetByUrl.values()]
      .filter((path) => path.startsWith(tempRoot))
      .map((path) => /^(.*\/transformer-assets-[^/]+)\//.exec(path)?.[1])
      .filter((dir): dir is string => dir !== undefined),
  );
  for (const dir of assetDirs) rmSync(dir, { recursive: true, force: true });
  return result;
}

function readTableDefinition(modelName: string, table: CfnTable): ModelTableDefinition {
  const resolved = Stack.of(table).resolve({
    keySchema: table.keySchema,
    attributeDefinitions: table.attributeDefinitions,
    globalSecondaryIndexes: table.globalSecondaryIndexes,
  }) as {
    keySchema: ModelTableDefinition['keySchema'];
    attributeDefinitions: ModelTableDefinition['attributeDefinitions'];
    globalSecondaryIndexes?: {
      indexName: string;
      keySchema: ModelTableDefinition['keySchema'];
      projection: {
        projectionType?: ModelTableDefinition['globalSecondaryIndexes'][number]['projectionType'];
      };
    }[];
  };
  return {
    modelName,
    keySchema: resolved.keySchema,
    attributeDefinitions: resolved.attributeDefinitions,
    globalSecondaryIndexes: (resolved.globalSecondaryIndexes ?? []).map((index) => ({
      indexName: index.indexName,
      keySchema: index.keySchema,
      projectionType: index.projection.projectionType ?? 'ALL',
    })),
  };
}

/** Turns a resolved template (a string or an `Fn::Join`) into text, substituting the references local mode knows. */
function joinResolved(
  value: unknown,
  environment: TransformEnvironment,
  tableLogicalIds: Map<string, string>,
  what: string,
): string {
  if (typeof value === 'string') return value;
  if (isRecord(value) && Array.isArray(value['Fn::Join'])) {
    const [separator, parts] = value['Fn::Join'] as [string, unknown[]];
    return parts
      .map((part) => joinResolved(part, environment, tableLogicalIds, what))
      .join(separator);
  }
  if (isRecord(value) && Array.isArray(value['Fn::GetAtt']) && value['Fn::GetAtt'][1] === 'ApiId')
    return environment.apiId;
  if (isRecord(value) && typeof value.Ref === 'string') {
    if (value.Ref === 'AWS::Partition') return 'aws';
    if (value.Ref === 'AWS::Region') return REGION;
    if (value.Ref === 'AWS::AccountId') return ACCOUNT;
    const modelName = tableLogicalIds.get(value.Ref);
    if (modelName) return environment.tableNameOf(modelName);
  }
  throw new Error(
    `transformDataSchema: ${what} contains a reference local mode cannot resolve: ${JSON.stringify(value)}`,
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
