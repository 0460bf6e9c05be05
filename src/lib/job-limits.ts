/**
 * Largest accepted `inputProps`, serialized, in bytes. Mirrors `MAX_INPUT_PROPS_BYTES` in
 * amplify/data/resource.ts, which cannot be imported into the browser (it pulls in @aws-amplify/backend);
 * tests/components/job-limits.test.tsx keeps the two equal.
 */
export const MAX_INPUT_PROPS_BYTES = 64 * 1024;

/** Size of props as they are sent to the backend, in UTF-8 bytes. */
export const measurePropsBytes = (props: unknown): number =>
  new TextEncoder().encode(JSON.stringify(props)).length;
