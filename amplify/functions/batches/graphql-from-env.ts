import { getAmplifyDataClientConfig } from '@aws-amplify/backend/function/runtime';
import { Amplify } from 'aws-amplify';
import { generateClient } from 'aws-amplify/data';
import {
  createAmplifyGraphqlTransport,
  type DataClientEnv,
  type GraphqlTransport,
} from '../render-worker/appsync-job-store';

/** The data API over IAM, configured from the function's environment as Amplify sets it. */
export const createGraphqlTransportFromFunctionEnv = async (
  env: DataClientEnv,
): Promise<GraphqlTransport> => {
  const { resourceConfig, libraryOptions } = await getAmplifyDataClientConfig(env);
  const { endpoint, region, defaultAuthMode } = resourceConfig.API.GraphQL;
  Amplify.configure({ API: { GraphQL: { endpoint, region, defaultAuthMode } } }, libraryOptions);
  return createAmplifyGraphqlTransport(
    generateClient({ authMode: 'iam' }) as unknown as Parameters<
      typeof createAmplifyGraphqlTransport
    >[0],
  );
};
