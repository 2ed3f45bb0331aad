import { describe, expect, it } from 'vitest';
import { checkSubscriptionUrl, isPrivateAddress } from '../../src/webhooks/url-guard.js';

const production = (addresses: Record<string, string[]>, allowlist: string[] = []) => ({
  production: true,
  allowlist,
  resolve: async (host: string) => addresses[host] ?? [],
});

describe('checkSubscriptionUrl', () => {
  it('accepts an https URL whose host resolves only to public addresses', async () => {
    await expect(checkSubscriptionUrl('https://hooks.example.com/in', production({ 'hooks.example.com': ['93.184.216.34', '2606:2800:220:1::1'] }))).resolves.toBeInstanceOf(URL);
  });

  it.each([
    ['plain http', 'http://hooks.example.com/in', { 'hooks.example.com': ['93.184.216.34'] }, 'A webhook URL must be https in production.'],
    ['a loopback address', 'https://127.0.0.1/in', {}, 'The host 127.0.0.1 resolves to a private, loopback or link-local address.'],
    ['a host with one private address among public ones', 'https://mixed.example.com/', { 'mixed.example.com': ['93.184.216.34', '10.0.0.7'] },
      'The host mixed.example.com resolves to a private, loopback or link-local address.'],
    ['the cloud metadata address', 'https://169.254.169.254/latest', {}, 'The host 169.254.169.254 resolves to a private, loopback or link-local address.'],
    ['IPv6 loopback', 'https://[::1]/in', {}, 'The host ::1 resolves to a private, loopback or link-local address.'],
    ['a host that does not resolve', 'https://nowhere.example.com/', {}, 'The host nowhere.example.com resolves to a private, loopback or link-local address.'],
    ['credentials in the URL', 'https://user:pw@hooks.example.com/', {}, 'A webhook URL must not carry a user name or password.'],
    ['another scheme', 'ftp://hooks.example.com/', {}, 'A webhook URL must be http or https.'],
  ])('refuses %s in production', async (_case, url, addresses, message) => {
    await expect(checkSubscriptionUrl(url, production(addresses))).rejects.toMatchObject({ code: 'webhook_url_refused', message });
  });

  it('lets an allow-listed host through both rules in production', async () => {
    await expect(checkSubscriptionUrl('http://receiver.internal:8080/in', production({ 'receiver.internal': ['10.1.2.3'] }, ['receiver.internal']))).resolves.toBeInstanceOf(URL);
  });

  it('allows plain http to loopback outside production', async () => {
    await expect(checkSubscriptionUrl('http://127.0.0.1:9000/in', { production: false, allowlist: [], resolve: async () => [] })).resolves.toBeInstanceOf(URL);
  });
});

describe('isPrivateAddress', () => {
  it.each(['10.0.0.1', '172.16.5.4', '192.168.1.1', '127.0.0.1', '0.0.0.0', '100.64.0.1', '::1', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1'])('%s is private', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });
  it.each(['93.184.216.34', '8.8.8.8', '2606:2800:220:1::1'])('%s is public', (address) => {
    expect(isPrivateAddress(address)).toBe(false);
  });
});
