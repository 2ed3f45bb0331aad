import { reencryptTokens } from '../vault/reencrypt.js';
import { flagValue, wholeFlag } from './arguments.js';
import type { Command } from './command.js';

/** `keys reencrypt`: re-seals every stored token with the first key. */
export const keysCommands: Command[] = [
  {
    name: 'keys reencrypt',
    summary: 'Re-encrypts every stored secret with the first key of TOKEN_ENCRYPTION_KEYS; exits 1 if any row failed.',
    flags: { 'batch-size': { value: '<n>', description: 'Rows per batch. Left out: 100.' } },
    prepare(flags) {
      const batchSize = flagValue(flags, 'batch-size') === undefined ? 100 : wholeFlag(flags, 'batch-size');
      return async ({ out, core }) => {
        const result = await reencryptTokens(core.vault, core.operator.sealedTokens, { batchSize });
        out.print(
          [
            `Re-encrypted with key "${result.currentKeyId}": ${result.reencrypted} of ${result.scanned} connections.`,
            `Already on that key: ${result.alreadyCurrent}. Changed by a concurrent refresh (already current): ${result.changedConcurrently}.`,
            result.failed.length === 0
              ? 'Failed: 0.'
              : `Failed: ${result.failed.length} (${result.failed.map((row) => `${row.id}: ${row.reason}`).join(', ')}). Keep their old keys in TOKEN_ENCRYPTION_KEYS.`,
          ].join('\n'),
          result,
        );
        return result.failed.length === 0 ? 0 : 1;
      };
    },
  },
];
