import { Aspects, CfnResource, type IAspect, RemovalPolicy, Tokenization } from 'aws-cdk-lib';
import { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IConstruct } from 'constructs';

/** How long our functions' logs are kept (defineFunction `logging.retention`): long enough to look back on a month. */
export const FUNCTION_LOG_RETENTION = '1 month';

/** The same retention for the log groups made here, for functions that libraries create. */
const LIBRARY_FUNCTION_LOG_RETENTION = RetentionDays.ONE_MONTH;

const hasLogGroup = (fn: CfnResource): boolean => {
  if (!(fn instanceof CfnFunction)) return false;
  const config = fn.loggingConfig;
  if (config === undefined) return false;
  return Tokenization.isResolvable(config) || config.logGroup !== undefined;
};

/**
 * Gives every Lambda function under `scope` that has no log group of its own (CDK's custom-resource handlers,
 * Amplify's table manager, the bucket deployment) one with a retention, instead of the `/aws/lambda/<name>` group
 * Lambda would create on first write and keep forever. Runs as an Aspect, so functions added later are covered.
 */
export const retainLogsOfEveryFunction = (scope: IConstruct): void => {
  const aspect: IAspect = {
    visit(node) {
      if (!(node instanceof CfnResource) || node.cfnResourceType !== 'AWS::Lambda::Function')
        return;
      if (hasLogGroup(node)) return;
      const parent = node.node.scope;
      if (!parent) return;
      const logGroup = new LogGroup(parent, `${node.node.id}LogGroup`, {
        retention: LIBRARY_FUNCTION_LOG_RETENTION,
        // As Lambda's own group would be: logs go with the stack.
        removalPolicy: RemovalPolicy.DESTROY,
      });
      // The reference also orders the deploy: the group exists before a custom-resource handler first runs.
      node.addPropertyOverride('LoggingConfig.LogGroup', logGroup.logGroupName);
    },
  };
  Aspects.of(scope).add(aspect);
};
