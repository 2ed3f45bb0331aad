import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { WebhookUrlRefused } from '../shared/errors.js';

/** Resolves a host name to every address it has (injected: tests and the delivery worker). */
export type ResolveHost = (host: string) => Promise<string[]>;

export const resolveWithDns: ResolveHost = async (host) => (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);

/** Addresses no subscription may reach in production unless its host is allow-listed. */
function privateRanges(): BlockList {
  const list = new BlockList();
  for (const [network, prefix] of [
    ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
    ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
  ] as const) list.addSubnet(network, prefix, 'ipv4');
  for (const [network, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96]] as const) {
    list.addSubnet(network, prefix, 'ipv6');
  }
  return list;
}

/** Whether an IP address (v4, v6, or v4-mapped v6) is private, loopback, link-local or otherwise not public. */
export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const plain = mapped ? mapped[1]! : address;
  const family = isIP(plain);
  if (family === 0) return true;
  return privateRanges().check(plain, family === 4 ? 'ipv4' : 'ipv6');
}

export interface UrlPolicy {
  production: boolean;
  /** Hosts exempt from both rules (lowercase). */
  allowlist: readonly string[];
  resolve: ResolveHost;
}

/**
 * Refuses a subscription URL that could turn the service against its own network (SSRF): in
 * production it must be `https`, and every address its host resolves to must be public, unless the
 * host is allow-listed. Outside production, plain http and local receivers are allowed. Checked when a
 * subscription is saved and again before each delivery (the DNS answer may have changed since).
 */
export async function checkSubscriptionUrl(url: string, policy: UrlPolicy): Promise<URL> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new WebhookUrlRefused(`"${url}" is not a URL.`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new WebhookUrlRefused('A webhook URL must be http or https.');
  if (parsed.username || parsed.password) throw new WebhookUrlRefused('A webhook URL must not carry a user name or password.');
  const host = parsed.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (!policy.production || policy.allowlist.includes(host)) return parsed;
  if (parsed.protocol !== 'https:') throw new WebhookUrlRefused('A webhook URL must be https in production.');
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : await policy.resolve(host);
  } catch (error) {
    throw new WebhookUrlRefused(`The host ${host} does not resolve.`, { cause: error });
  }
  if (addresses.length === 0 || addresses.some(isPrivateAddress)) {
    throw new WebhookUrlRefused(`The host ${host} resolves to a private, loopback or link-local address.`);
  }
  return parsed;
}
