import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { AmplifyFunctionResource } from '../functions/amplify-function-resource';
import type { PipelineConfig } from './config';

/**
 * The remove-job function's environment and exactly its reach: read, cancel and delete items of the Job table (no
 * index, no scan), delete objects under the output prefix, and list and delete Remotion's render state under
 * `renders/` (ListBucket only with that prefix). No AppSync, no queue, no other table.
 */
export const configureJobRemover = (
  fn: AmplifyFunctionResource,
  {
    jobTable,
    outputBucket,
    remotionBucket,
    config,
  }: { jobTable: ITable; outputBucket: IBucket; remotionBucket: IBucket; config: PipelineConfig },
): void => {
  fn.addEnvironment('JOB_TABLE_NAME', jobTable.tableName);
  fn.addEnvironment('OUTPUT_BUCKET_NAME', outputBucket.bucketName);
  fn.addEnvironment('OUTPUT_PREFIX', config.outputPrefix);
  fn.addEnvironment('REMOTION_BUCKET_NAME', remotionBucket.bucketName);
  const lambda = fn.resources.lambda;
  lambda.addToRolePolicy(
    new PolicyStatement({
      actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
      resources: [jobTable.tableArn],
    }),
  );
  lambda.addToRolePolicy(
    new PolicyStatement({
      actions: ['s3:DeleteObject'],
      resources: [outputBucket.arnForObjects(`${config.outputPrefix}*`)],
    }),
  );
  lambda.addToRolePolicy(
    new PolicyStatement({
      actions: ['s3:DeleteObject'],
      resources: [remotionBucket.arnForObjects('renders/*')],
    }),
  );
  lambda.addToRolePolicy(
    new PolicyStatement({
      actions: ['s3:ListBucket'],
      resources: [remotionBucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': ['renders/*'] } },
    }),
  );
};
