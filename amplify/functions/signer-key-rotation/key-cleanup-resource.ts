// The stack's key-cleanup custom resource, answered by the rotation function itself.
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { deleteSignerKeys, type SignerKeyRotationPorts } from './rotate-signer-key';

/**
 * Answers the stack's key-cleanup custom resource: on Delete, removes the keys the rotations made
 * (CloudFormation cannot delete a user that still has access keys); Create and Update do nothing.
 * A Delete that names another user (the signer user was replaced) deletes nothing: this function
 * may only touch its own user's keys.
 */
export const answerKeyCleanup = async (
  event: CloudFormationCustomResourceEvent,
  rotation: Pick<SignerKeyRotationPorts, 'iam' | 'userName'>,
  put: typeof fetch = fetch,
): Promise<void> => {
  let status: 'SUCCESS' | 'FAILED' = 'SUCCESS';
  let reason = 'Nothing to do.';
  const named: unknown = event.ResourceProperties.UserName;
  try {
    if (event.RequestType === 'Delete' && named === rotation.userName) {
      const deleted = await deleteSignerKeys(rotation);
      reason = `Deleted access keys ${deleted.join(', ') || '(none)'} of ${rotation.userName}.`;
    } else if (event.RequestType === 'Delete') {
      reason = `Kept the keys of ${String(named)}: this function rotates ${rotation.userName} only.`;
    }
  } catch (error) {
    status = 'FAILED';
    reason = `Deleting the access keys of ${rotation.userName} failed: ${String(error)}`;
  }
  console.log(reason);
  const response = await put(event.ResponseURL, {
    method: 'PUT',
    headers: { 'content-type': '' }, // The presigned URL was signed without a content type.
    body: JSON.stringify({
      Status: status,
      Reason: reason,
      // One id for the resource's life, so an Update never makes CloudFormation delete the old one.
      PhysicalResourceId: 'signer-key-cleanup',
      StackId: event.StackId,
      RequestId: event.RequestId,
      LogicalResourceId: event.LogicalResourceId,
    }),
  });
  if (!response.ok) {
    throw new Error(
      `CloudFormation refused the response: HTTP ${response.status} ${await response.text()}`,
    );
  }
};
