import { defineFunction } from '@aws-amplify/backend';
import { FUNCTION_LOG_RETENTION } from '../../render-pipeline/log-retention';
import { parseSignUpAllowList } from './sign-up-allow-list';

// Checked at synthesis: a typo in the list stops the deploy instead of locking everyone out.
const allowList = process.env.SIGN_UP_ALLOW_LIST ?? '';
parseSignUpAllowList(allowList);

/**
 * Cognito's pre-sign-up trigger: only addresses the deploy-time `SIGN_UP_ALLOW_LIST` names may create an account
 * (docs/architecture.md, "Who may sign up"). Unset, sign-up is closed; admins invite people from the Operations view.
 */
export const preSignUp = defineFunction({
  name: 'pre-sign-up',
  entry: './handler.ts',
  resourceGroupName: 'auth',
  runtime: 22,
  timeoutSeconds: 5,
  memoryMB: 128,
  environment: { SIGN_UP_ALLOW_LIST: allowList },
  logging: { retention: FUNCTION_LOG_RETENTION },
});
