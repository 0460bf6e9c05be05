import { lookup as dnsLookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';

/** Where deliveries may go: the cloud sends HTTPS to public addresses only; local mode also to http://localhost. */
export type WebhookUrlMode = 'cloud' | 'local';

/** Resolves a host name to every address it has (node:dns `lookup` with `all: true`); injected in tests. */
export type ResolveHost = (hostname: string) => Promise<{ address: string; family: number }[]>;

export const resolveWithDns: ResolveHost = async (hostname) =>
  await dnsLookup(hostname, { all: true, verbatim: true });

/** A URL the policy refuses: never retried, shown to the user as is. */
export class WebhookUrlRefusedError extends Error {
  override readonly name = 'WebhookUrlRefusedError';
}

const LOCAL_HOSTNAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Checks what can be checked without DNS: scheme, credentials, and a literal address's range. */
export function checkWebhookUrl(rawUrl: string, mode: WebhookUrlMode): URL {
  if (!URL.canParse(rawUrl))
    throw new WebhookUrlRefusedError(
      `url must be an absolute URL like https://example.com/hooks, but got ${JSON.stringify(rawUrl)}`,
    );
  const url = new URL(rawUrl);
  const localHttp =
    mode === 'local' && url.protocol === 'http:' && LOCAL_HOSTNAMES.has(url.hostname);
  if (url.protocol !== 'https:' && !localHttp)
    throw new WebhookUrlRefusedError(
      mode === 'local'
        ? `url must use https:// (or http://localhost in local mode), but got ${url.protocol}//${url.host}`
        : `url must use https://, but got ${url.protocol}//${url.host}`,
    );
  if (url.username || url.password)
    throw new WebhookUrlRefusedError(
      'url must not carry a user name or password; put a token in the path instead',
    );
  const literal = url.hostname.replace(/^\[|\]$/g, '');
  if (ipaddr.isValid(literal) && !localHttp) refuseUnlessPublic(literal, url.hostname);
  return url;
}

/** Throws unless `address` is a public unicast address (IPv4-mapped IPv6 is judged as the IPv4 it carries). */
function refuseUnlessPublic(address: string, hostname: string): void {
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress())
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  const range = parsed.range();
  if (range !== 'unicast')
    throw new WebhookUrlRefusedError(
      `url must point at a public address, but ${hostname} is ${address} (${range}); private, loopback, link-local, unique-local and metadata addresses are refused`,
    );
}

/** The address a delivery connects to: checked after resolution, and the request is pinned to it. */
export interface PinnedTarget {
  url: URL;
  address: string;
  family: 4 | 6;
}

/**
 * Resolves the URL's host at send time and checks EVERY address it resolves to, then pins the request to the
 * first, so a DNS answer that changes between the check and the connect (rebinding) cannot redirect it.
 */
export async function resolveWebhookTarget(
  rawUrl: string,
  mode: WebhookUrlMode,
  resolveHost: ResolveHost = resolveWithDns,
): Promise<PinnedTarget> {
  const url = checkWebhookUrl(rawUrl, mode);
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  const localHttp =
    mode === 'local' && url.protocol === 'http:' && LOCAL_HOSTNAMES.has(url.hostname);
  const addresses = ipaddr.isValid(hostname)
    ? [{ address: hostname, family: ipaddr.parse(hostname).kind() === 'ipv6' ? 6 : 4 }]
    : await resolveHost(hostname);
  if (addresses.length === 0) throw new Error(`${hostname} resolved to no address`);
  if (localHttp) {
    // http://localhost in local mode: loopback only, whatever the resolver says.
    const loopback = addresses.find(({ address }) => ipaddr.parse(address).range() === 'loopback');
    if (!loopback)
      throw new WebhookUrlRefusedError(
        `${hostname} must resolve to a loopback address in local mode`,
      );
    return { url, address: loopback.address, family: loopback.family === 6 ? 6 : 4 };
  }
  for (const { address } of addresses) refuseUnlessPublic(address, hostname);
  const first = addresses[0]!;
  return { url, address: first.address, family: first.family === 6 ? 6 : 4 };
}
