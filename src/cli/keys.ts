import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import { createConnectionStore } from '../db/stores/connection-store.js';
import { withDevelopmentSecrets } from '../dev-secrets.js';
import { createLogger } from '../shared/logger.js';
import { parseKeyRing } from '../vault/key-ring.js';
import { reencryptTokens } from '../vault/reencrypt.js';
import { createVault } from '../vault/vault.js';
import type { CliOutput, ParsedArguments } from './arguments.js';

export const keysCommandNames = ['keys reencrypt'];

/** `keys reencrypt [--batch-size n] [--json]`: re-seals every stored token with the first key. */
export async function runKeysCommand(args: ParsedArguments, out: CliOutput, db: Database, baseConfig: Config): Promise<number> {
  const config = baseConfig.env === 'production' ? baseConfig : withDevelopmentSecrets(baseConfig, createLogger('warn', process.stderr));
  const vault = createVault(parseKeyRing(config.encryptionKeys ?? ''));
  const batchSize = typeof args.flags['batch-size'] === 'string' ? Number(args.flags['batch-size']) : 100;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    process.stderr.write('--batch-size must be a positive whole number\n');
    return 2;
  }
  const result = await reencryptTokens(vault, createConnectionStore(db), { batchSize });
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
}
