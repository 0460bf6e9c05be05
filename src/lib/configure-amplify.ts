import { Amplify, type ResourcesConfig } from 'aws-amplify';
import { withLoopbackWebSocket } from './loopback-websocket';
import { isLocalMode, type AmplifyOutputs } from './amplify-outputs';

/** How the studio signs in: SRP in the cloud; cognito-local only speaks `USER_PASSWORD_AUTH`. */
export type AuthFlow = 'USER_SRP_AUTH' | 'USER_PASSWORD_AUTH';

/** Configures Amplify from the outputs; in local mode also points Cognito and the realtime socket at loopback. */
export function configureAmplify(outputs: AmplifyOutputs): { authFlow: AuthFlow } {
  Amplify.configure(outputs as unknown as Parameters<typeof Amplify.configure>[0]);
  const cognitoEndpoint = outputs.custom?.local_endpoints?.cognito;
  if (!isLocalMode(outputs) || !cognitoEndpoint) return { authFlow: 'USER_SRP_AUTH' };

  const config = Amplify.getConfig();
  const cognito = config.Auth?.Cognito;
  if (!cognito)
    throw new Error('amplify_outputs.json has no auth section; expected a Cognito user pool.');
  // The union of Cognito config shapes does not narrow through a spread; this one has a user pool.
  const auth = {
    Cognito: { ...cognito, userPoolEndpoint: cognitoEndpoint },
  } as ResourcesConfig['Auth'];
  Amplify.configure({ ...config, Auth: auth });
  // The Amplify client always opens wss:// for a custom endpoint; the local AppSync simulator speaks ws://.
  globalThis.WebSocket = withLoopbackWebSocket(globalThis.WebSocket);
  return { authFlow: 'USER_PASSWORD_AUTH' };
}
