// Which Amplify environment the preflight is about, and the names its deploy would use.
import { BackendIdentifierConversions } from '@aws-amplify/platform-core';
import { RootConstruct } from 'constructs';
import type { PipelineConfig } from '../../amplify/render-pipeline/config';
import {
  environmentTagOf,
  remotionFunctionNameOf,
} from '../../amplify/remotion-lambda/remotion-render-function';

import type { BackendIdentifier } from '../synth';

export type { BackendIdentifier };

/** The command-line choices that name an environment. */
export interface EnvironmentArgs {
  identifier?: string;
  branch?: string;
  appId?: string;
}

/**
 * The environment `ampx` would deploy: `--branch` with `--app-id` is an Amplify Hosting branch
 * (`ampx pipeline-deploy`); otherwise a sandbox named `--identifier`, or, like `ampx sandbox`,
 * the current OS user's.
 */
export const resolveBackendIdentifier = (
  { identifier, branch, appId }: EnvironmentArgs,
  { packageName, username }: { packageName: string | undefined; username: string },
): BackendIdentifier => {
  if (branch !== undefined || appId !== undefined) {
    if (identifier !== undefined) {
      throw new Error(
        'Pass either --identifier (a sandbox) or --branch with --app-id (a branch), not both.',
      );
    }
    if (!branch || !appId) {
      throw new Error(
        `A branch environment needs both --branch and --app-id, but got --branch ${JSON.stringify(branch)} and --app-id ${JSON.stringify(appId)}.`,
      );
    }
    return { namespace: appId, name: branch, type: 'branch' };
  }
  if (!packageName) {
    throw new Error(
      'A sandbox is named after package.json "name", but none was found: run this from the project root.',
    );
  }
  return { namespace: packageName, name: identifier || username, type: 'sandbox' };
};

/** The render function's name and the root stack's name that deploying `backend` would use. */
export const deployNamesOf = (
  backend: BackendIdentifier,
  config: PipelineConfig,
): { functionName: string; rootStackName: string } => {
  // The tag is computed by the same code the synthesis runs, from the same context the CLI sets.
  const scope = new RootConstruct();
  scope.node.setContext('amplify-backend-namespace', backend.namespace);
  scope.node.setContext('amplify-backend-name', backend.name);
  scope.node.setContext('amplify-backend-type', backend.type);
  return {
    functionName: remotionFunctionNameOf(config, environmentTagOf(scope)),
    rootStackName: BackendIdentifierConversions.toStackName(backend),
  };
};
