import dns from 'node:dns';
import { lookup as lookupAll } from 'node:dns/promises';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { AppError } from '../errors.js';
import { CoreErrors } from '../core-errors.js';

/** Loopback, private, carrier-grade NAT, link-local (incl. cloud metadata), unspecified and unique-local ranges. */
const INTERNAL = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const)
  INTERNAL.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
] as const)
  INTERNAL.addSubnet(net, prefix, 'ipv6');

/** True for an address no outbound request of a tenant may reach (IPv4-mapped IPv6 is unwrapped first). */
export function isInternalAddress(address: string, family?: number | string): boolean {
  const v4mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (v4mapped) return INTERNAL.check(v4mapped, 'ipv4');
  const v6 = family === 6 || family === 'IPv6' || isIP(address) === 6;
  return INTERNAL.check(address, v6 ? 'ipv6' : 'ipv4');
}

/** Parses an http(s) URL, or refuses it as a validation error on `field`. */
export function parseHttpUrl(url: string, field = 'body.url'): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw AppError.validation([{ path: field, message: 'is not a URL' }], 400);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw AppError.validation([{ path: field, message: 'must be http or https' }], 400);
  return parsed;
}

/**
 * Refuses, without DNS, a URL that is internal by itself: a literal loopback/private/link-local IP
 * or `localhost` (and its subdomains). For configuration time, where a name that does not resolve
 * right now (DNS not set up yet, a transient failure) is no reason to refuse; the address it
 * resolves to is checked at delivery by `assertPublicUrl` and `publicLookup`.
 */
export function assertUrlNotInternal(url: string, options: { allowPrivate: boolean; field?: string }): URL {
  const parsed = parseHttpUrl(url, options.field);
  if (options.allowPrivate) return parsed;
  const host = parsed.hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
  const internal = isIP(host) ? isInternalAddress(host) : host === 'localhost' || host.endsWith('.localhost');
  if (internal)
    throw AppError.validation([{ path: options.field ?? 'body.url', message: `is internal (${parsed.hostname}); only public hosts are allowed` }], 400);
  return parsed;
}

/**
 * The one refusal for a host an outbound request may not reach, whatever the reason: a name that
 * does not resolve and one that resolves inside read the same, so the message cannot be used to
 * probe which internal names exist.
 */
export const unreachableHostMessage = (host: string): string => `${host} is not a reachable public host`;

/**
 * Refuses a URL whose host is, or resolves to, an internal address, or does not resolve, unless
 * `allowPrivate` (tests, private installs): 400 `target_refused`, one message for every reason.
 * Checked after DNS, at configuration time and again before each request, so a name that later
 * points inside is refused then; `publicLookup` closes the gap between this check and the
 * connection itself.
 */
export async function assertPublicUrl(url: string, options: { allowPrivate: boolean; field?: string }): Promise<URL> {
  const parsed = parseHttpUrl(url, options.field);
  if (options.allowPrivate) return parsed;
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await lookupAll(host, { all: true }).catch(() => []);
  if (!addresses.length || addresses.some((a) => isInternalAddress(a.address, a.family)))
    throw CoreErrors.targetRefused(unreachableHostMessage(parsed.hostname));
  return parsed;
}

/**
 * A `lookup` for node:http(s) requests that refuses internal addresses at connect time (DNS
 * rebinding: the name may resolve differently than when it was checked), with the same message
 * as a name that does not resolve. IP-literal hosts skip lookup in Node, which is why callers
 * check the URL with `assertPublicUrl` first.
 */
export const publicLookup: LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    const list = (addresses ?? []) as dns.LookupAddress[];
    if (err || !list.length || list.some((a) => isInternalAddress(a.address, a.family))) {
      const refused = Object.assign(new Error(unreachableHostMessage(hostname)), { code: 'ETARGETREFUSED' });
      return callback(refused, '', 0);
    }
    if (options.all) (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
    else callback(null, list[0].address, list[0].family);
  });
};
