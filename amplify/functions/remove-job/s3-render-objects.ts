import { DeleteObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { RemoveJobPorts } from './remove-job';

/**
 * The job remover's reach into S3: single-object deletes in the output bucket (a job has at most four keys), and
 * Remotion's render state, every object under `renders/<renderId>/` of the Remotion bucket. One DeleteObject per
 * key, not DeleteObjects, so IAM judges each key against the `renders/` grant.
 */
export const createS3RenderObjects = ({
  outputBucket,
  remotionBucket,
  client = new S3Client({}),
}: {
  outputBucket: string;
  remotionBucket: string;
  client?: Pick<S3Client, 'send'>;
}): Pick<RemoveJobPorts, 'deleteOutputs' | 'deleteRenderState'> => ({
  async deleteOutputs(keys) {
    for (const key of keys)
      await client.send(new DeleteObjectCommand({ Bucket: outputBucket, Key: key }));
  },
  async deleteRenderState({ renderId }) {
    const prefix = `renders/${renderId}/`;
    let token: string | undefined;
    do {
      const page = await client.send(
        new ListObjectsV2Command({
          Bucket: remotionBucket,
          Prefix: prefix,
          ContinuationToken: token,
        }),
      );
      for (const object of page.Contents ?? [])
        if (object.Key?.startsWith(prefix))
          await client.send(new DeleteObjectCommand({ Bucket: remotionBucket, Key: object.Key }));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  },
});
