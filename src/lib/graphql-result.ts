/** What the Amplify data client resolves: data, or GraphQL errors. */
export type GraphqlResult<T> = { data?: T | null; errors?: readonly { message: string }[] };

/** Throws the GraphQL errors of a result in one readable line, or returns its data. */
export function dataOf<T>(result: GraphqlResult<T>, what: string): NonNullable<T> {
  if (result.errors?.length)
    throw new Error(`${what} failed: ${result.errors.map((e) => e.message).join('; ')}`);
  if (result.data === null || result.data === undefined)
    throw new Error(`${what} returned nothing.`);
  return result.data;
}
