import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/** A new signing secret in the Standard Webhooks form: `whsec_` + base64 of 32 random bytes. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/**
 * The Standard Webhooks headers for one message: `webhook-id`, `webhook-timestamp` and
 * `webhook-signature` (`v1,<base64>`, one per secret, space-separated: during a rotation both the
 * new and the old secret sign, so a receiver holding either verifies).
 *
 * @example
 * signedHeaders({ id: '42', at: new Date(), body, secrets: [secret] })
 * // { 'webhook-id': '42', 'webhook-timestamp': '1764590000', 'webhook-signature': 'v1,K5oZ…' }
 */
export function signedHeaders(input: { id: string; at: Date; body: string; secrets: readonly string[] }): Record<string, string> {
  const signatures = input.secrets.map((secret) => new Webhook(secret).sign(input.id, input.at, input.body));
  return {
    'webhook-id': input.id,
    'webhook-timestamp': String(Math.floor(input.at.getTime() / 1000)),
    'webhook-signature': signatures.join(' '),
  };
}
