/**
 * Who may sign up: a comma-separated list of whole addresses (`alice@other.org`) and domains (`example.com`, or
 * `@example.com`). Empty: nobody (sign-up closed). `*`: anybody (local mode's default).
 */
export interface SignUpAllowList {
  anybody: boolean;
  addresses: Set<string>;
  domains: Set<string>;
}

/** Parses `SIGN_UP_ALLOW_LIST`; throws naming the entry that is neither an address nor a domain. */
export const parseSignUpAllowList = (text: string | undefined): SignUpAllowList => {
  const entries = (text ?? '')
    .split(',')
    .map((entry) => entry.trim().toLowerCase())
    .filter(Boolean);
  const list: SignUpAllowList = { anybody: false, addresses: new Set(), domains: new Set() };
  for (const entry of entries) {
    if (entry === '*') list.anybody = true;
    else if (/^[^@\s]+@[a-z0-9.-]+\.[a-z]{2,}$/.test(entry)) list.addresses.add(entry);
    else if (/^@?[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}$/.test(entry))
      list.domains.add(entry.replace(/^@/, ''));
    else
      throw new Error(
        `SIGN_UP_ALLOW_LIST must list email addresses or domains separated by commas (such as "example.com,alice@other.org"), but got ${JSON.stringify(entry)}`,
      );
  }
  return list;
};

/** Why `email` may not sign up, or `undefined` when it may. */
export const signUpRefusal = (
  list: SignUpAllowList,
  email: string | undefined,
): string | undefined => {
  const address = (email ?? '').trim().toLowerCase();
  if (list.anybody) return undefined;
  const domain = address.split('@')[1] ?? '';
  if (list.addresses.has(address) || list.domains.has(domain)) return undefined;
  if (list.addresses.size === 0 && list.domains.size === 0)
    return 'Sign-up is closed on this studio: ask one of its admins to invite you.';
  return `Sign-up is open only to addresses this studio allows, and ${address || 'this address'} is not one of them: ask one of its admins to invite you.`;
};
