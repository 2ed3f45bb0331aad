import type { LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { Agent, fetch as undiciFetch } from 'undici';
import { WebhookUrlRefused } from '../shared/errors.js';
import { isPrivateAddress, type UrlPolicy } from './url-guard.js';

/** How subscribers are POSTed to: WHATWG fetch. */
export type DeliveryFetch = (url: string, init: RequestInit) => Promise<Response>;

export interface PinnedFetch {
  fetch: DeliveryFetch;
  /** Closes the pooled connections (on shutdown). */
  close(): Promise<void>;
}

/**
 * The addresses a subscriber's host may be reached at, resolved now: in production every address must be
 * public (no loopback, private, link-local, metadata…) unless the host is allow-listed; otherwise
 * {@link WebhookUrlRefused}. Outside production, whatever the name resolves to.
 */
export async function allowedAddresses(hostname: string, policy: UrlPolicy): Promise<string[]> {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : await policy.resolve(host);
  } catch (error) {
    throw new WebhookUrlRefused(`The host ${host} does not resolve.`, { cause: error });
  }
  if (addresses.length === 0) throw new WebhookUrlRefused(`The host ${host} does not resolve.`);
  if (policy.production && !policy.allowlist.includes(host) && addresses.some(isPrivateAddress)) {
    throw new WebhookUrlRefused(`The host ${host} resolves to a private, loopback or link-local address.`);
  }
  return addresses;
}

/**
 * Fetch for webhook deliveries that connects only to addresses it checked (no DNS rebinding): the
 * connection pool's `lookup` resolves the host when it connects, refuses private addresses in
 * production (unless allow-listed), and hands the socket exactly the addresses it checked, so a name
 * that answered a public address at subscribe time and 127.0.0.1 now cannot reach internal services.
 * TLS still verifies the certificate against the host name.
 *
 * @example
 * const pinned = createPinnedFetch(urlPolicy);
 * await pinned.fetch('https://orders.example.com/hooks', { method: 'POST', body });
 */
export function createPinnedFetch(policy: UrlPolicy, options: { connectTimeoutMs?: number } = {}): PinnedFetch {
  const lookup = (
    hostname: string,
    lookupOptions: { all?: boolean },
    callback: (error: Error | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
    allowedAddresses(hostname, policy).then(
      (addresses) => {
        if (lookupOptions.all) callback(null, addresses.map((address) => ({ address, family: isIP(address) })));
        else callback(null, addresses[0]!, isIP(addresses[0]!));
      },
      (error: Error) => callback(error, []),
    );
  };
  const agent = new Agent({ connect: { lookup: lookup as never, timeout: options.connectTimeoutMs ?? 10_000 }, keepAliveTimeout: 10_000 });
  return {
    fetch: (url, init) => undiciFetch(url, { ...(init as object), dispatcher: agent }) as unknown as Promise<Response>,
    close: () => agent.close(),
  };
}
