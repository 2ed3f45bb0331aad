import 'dotenv/config';
import { ConfigError, loadConfig } from '../config.js';
import { openDatabase } from '../db/database.js';
import { migrate, readMigrations } from '../db/migrate.js';
import { databaseTarget, migrationsDirectory } from '../db/target.js';
import { apiClientCommandNames, runAppCommand } from './api-clients.js';
import { parseArguments, type CliOutput } from './arguments.js';
import { keysCommandNames, runKeysCommand } from './keys.js';

/** The operator CLI: `npm run cli -- <group> <command> [--flags] [--json]`. */
async function main(argv: string[]): Promise<number> {
  const args = parseArguments(argv);
  const out: CliOutput = {
    json: args.flags.json === true,
    print(human: string, machine: unknown) {
      process.stdout.write(this.json ? `${JSON.stringify(machine)}\n` : `${human}\n`);
    },
  };
  const config = loadConfig();
  const command = args.positional.join(' ');
  if (command === 'db migrate') {
    const db = await openDatabase(databaseTarget(config));
    try {
      const result = await migrate(db.sql, await readMigrations(migrationsDirectory));
      out.print(
        result.applied.length ? `Applied: ${result.applied.join(', ')}` : 'Nothing to apply: the database is up to date.',
        result,
      );
    } finally {
      await db.close();
    }
    return 0;
  }
  if (apiClientCommandNames.includes(command)) {
    const db = await openDatabase(databaseTarget(config));
    try {
      await migrate(db.sql, await readMigrations(migrationsDirectory));
      return await runAppCommand(command, args, out, db, config);
    } finally {
      await db.close();
    }
  }
  if (keysCommandNames.includes(command)) {
    const db = await openDatabase(databaseTarget(config));
    try {
      await migrate(db.sql, await readMigrations(migrationsDirectory));
      return await runKeysCommand(args, out, db, config);
    } finally {
      await db.close();
    }
  }
  process.stderr.write(`Unknown command "${command}". Commands: db migrate, ${[...apiClientCommandNames, ...keysCommandNames].join(', ')}\n`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message = error instanceof ConfigError ? `Configuration error: ${error.message}` : `Error: ${(error as Error).message}`;
    process.stderr.write(`${message}\n`);
    process.exit(1);
  },
);
