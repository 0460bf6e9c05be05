import { defineStorage } from '@aws-amplify/backend';

/**
 * Private render outputs: finished videos live at `renders/<owner sub>/<jobId>.mp4`.
 * No browser role gets any access here: the owner receives a time-limited URL for one video
 * from the `getJobVideoUrl` query, which checks ownership first. (Grants for the render worker,
 * the Remotion function and the URL signer are made in CDK from the data stack, so the storage
 * stack depends on nothing and no stack cycle forms.)
 */
export const storage = defineStorage({
  name: 'renderOutputs',
});
