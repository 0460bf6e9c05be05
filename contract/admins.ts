/**
 * Who operates the studio: members of one Cognito group (docs/architecture.md, "Operations"). Plain
 * TypeScript: the backend, its resolvers, local mode and the studio read it.
 */

/** The Cognito group whose members see the Operations view and may call its queries and mutations. */
export const ADMINS_GROUP = 'admins';

/**
 * The groups a token's claims carry. AppSync hands resolvers `cognito:groups` as a list; a JWT decoded by hand may
 * carry it as one string, so both are read.
 */
export const groupsOf = (claims: Record<string, unknown> | null | undefined): string[] => {
  const groups = claims?.['cognito:groups'];
  if (Array.isArray(groups))
    return groups.filter((group): group is string => typeof group === 'string');
  if (typeof groups === 'string') return groups.split(/[,\s]+/).filter(Boolean);
  return [];
};

/** True when the claims name the caller a member of {@link ADMINS_GROUP}. */
export const isAdmin = (claims: Record<string, unknown> | null | undefined): boolean =>
  groupsOf(claims).includes(ADMINS_GROUP);
