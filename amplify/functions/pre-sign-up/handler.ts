import { Logger } from '@aws-lambda-powertools/logger';
import type { PreSignUpTriggerEvent } from 'aws-lambda';
import { parseSignUpAllowList, signUpRefusal } from './sign-up-allow-list';

const logger = new Logger({ serviceName: 'pre-sign-up' });

/** The trigger over an allow list; local mode builds one from its own environment. */
export const createPreSignUpHandler =
  (allowList: string | undefined) =>
  async <Event extends Pick<PreSignUpTriggerEvent, 'triggerSource' | 'request'>>(
    event: Event,
  ): Promise<Event> => {
    // An admin's invitation (AdminCreateUser) is how people outside the list get in.
    if (event.triggerSource === 'PreSignUp_AdminCreateUser') return event;
    const email = event.request.userAttributes.email;
    const refusal = signUpRefusal(parseSignUpAllowList(allowList), email);
    if (refusal) {
      // Cognito refuses the sign-up with this message ("PreSignUp failed with error …").
      logger.warn('sign-up refused', { domain: email?.split('@')[1] });
      throw new Error(refusal);
    }
    return event;
  };

/** Lambda entry: the allow list comes from the deploy-time `SIGN_UP_ALLOW_LIST`. */
export const handler = createPreSignUpHandler(process.env.SIGN_UP_ALLOW_LIST);
