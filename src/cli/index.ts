import 'dotenv/config';
import { ConfigError, loadConfig } from '../config.js';
import { openDatabase } from '../db/database.js';
import { migrate, readMigrations } from '../db/migrate.js';
import { databaseTarget, migrationsDirectory } from '../db/target.js';
import { parseArguments, type CliOutput } from './arguments.js';

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
  process.stderr.write(`Unknown command "${command}". Commands: db migrate\n`);
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
