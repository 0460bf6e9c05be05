/** A Job table stream record, as Lambda and DynamoDB Streams deliver it (only the images are read). */
export interface JobStreamRecord {
  dynamodb?: {
    NewImage?: Record<string, { S?: string } | undefined>;
    OldImage?: Record<string, { S?: string } | undefined>;
  };
}

/** The batches whose rows these records changed, each once, in first-seen order. */
export const batchIdsOfStreamRecords = (records: readonly JobStreamRecord[]): string[] => {
  const ids = new Set<string>();
  for (const record of records) {
    const id = record.dynamodb?.NewImage?.batchId?.S ?? record.dynamodb?.OldImage?.batchId?.S;
    if (id) ids.add(id);
  }
  return [...ids];
};
