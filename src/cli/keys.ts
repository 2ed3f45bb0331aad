import { reencryptTokens, reencryptWebhookSecrets } from '../vault/reencrypt.js';
import { flagValue, wholeFlag } from './arguments.js';
import type { Command } from './command.js';

/** `keys reencrypt`: re-seals every stored token and webhook signing secret with the first key. */
export const keysCommands: Command[] = [
  {
    name: 'keys reencrypt',
    summary: 'Re-encrypts every stored secret (tokens, webhook signing secrets) with the first key of TOKEN_ENCRYPTION_KEYS; exits 1 if any row failed.',
    flags: { 'batch-size': { value: '<n>', description: 'Rows per batch. Left out: 100.' } },
    prepare(flags) {
      const batchSize = flagValue(flags, 'batch-size') === undefined ? 100 : wholeFlag(flags, 'batch-size');
      return async ({ out, core }) => {
        const result = await reencryptTokens(core.vault, core.operator.sealedTokens, { batchSize });
        const webhookSecrets = await reencryptWebhookSecrets(core.vault, core.operator.webhookSecrets, { batchSize });
        const failed = (failures: typeof result.failed) =>
          failures.length === 0 ? 'Failed: 0.' : `Failed: ${failures.length} (${failures.map((row) => `${row.id}: ${row.reason}`).join(', ')}). Keep their old keys in TOKEN_ENCRYPTION_KEYS.`;
        out.print(
          [
            `Re-encrypted with key "${result.currentKeyId}": ${result.reencrypted} of ${result.scanned} connections.`,
            `Already on that key: ${result.alreadyCurrent}. Changed by a concurrent refresh (already current): ${result.changedConcurrently}.`,
            failed(result.failed),
            `Webhook signing secrets: ${webhookSecrets.reencrypted} of ${webhookSecrets.scanned} subscriptions re-encrypted, ${webhookSecrets.alreadyCurrent} already on that key, ${webhookSecrets.changedConcurrently} rotated meanwhile.`,
            failed(webhookSecrets.failed),
          ].join('\n'),
          { ...result, webhookSecrets },
        );
        return result.failed.length === 0 && webhookSecrets.failed.length === 0 ? 0 : 1;
      };
    },
  },
];
