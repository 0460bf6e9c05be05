// Placeholder so the backend synthesizes; the render-worker engineer replaces it.
export const handler = async () => ({ batchItemFailures: [] });
