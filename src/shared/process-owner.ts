import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * Names this process in leases and claims (refresh claims, webhook deliveries, the retention run):
 * `host:pid:random`, so an operator can tell which replica holds one, and the pid is the middle part.
 */
export function processOwner(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}
