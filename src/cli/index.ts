import 'dotenv/config';
import { loadConfig } from '../config.js';
import { createCore } from '../core.js';
import { openDatabase } from '../db/database.js';
import { migrate, readMigrations } from '../db/migrate.js';
import { databaseTarget, migrationsDirectory } from '../db/target.js';
import { apiClientCommands } from './api-clients.js';
import { appCommands } from './apps.js';
import { parseCommandLine } from './arguments.js';
import type { CliOutput, Command } from './command.js';
import { connectionCommands } from './connections.js';
import { describeFailure, renderFailure } from './errors.js';
import { keysCommands } from './keys.js';
import { webhookCommands } from './webhooks.js';
import { systemClock } from '../shared/clock.js';
import { createLogger } from '../shared/logger.js';
import { commandHelp, generalHelp } from './usage.js';

const dbMigrate: Command = {
  name: 'db migrate',
  summary: 'Applies pending migrations.',
  flags: {},
  prepare: () => async ({ out, db }) => {
    const result = await migrate(db.sql, await readMigrations(migrationsDirectory));
    out.print(result.applied.length ? `Applied: ${result.applied.join(', ')}` : 'Nothing to apply: the database is up to date.', result);
    return 0;
  },
};

const commands: Command[] = [...appCommands, ...apiClientCommands, ...connectionCommands, ...webhookCommands, ...keysCommands, dbMigrate];

/**
 * The operator CLI: `npm run cli -- <group> <command> [--flags] [--json]`. The command line is checked
 * before anything is opened; every other command first applies pending migrations. Answers the exit code.
 */
async function main(argv: string[]): Promise<number> {
  // Decided from the raw arguments, so that even a command line that cannot be parsed fails as JSON.
  const json = argv.includes('--json');
  const out: CliOutput = {
    json,
    print(human, machine) {
      process.stdout.write(json ? `${JSON.stringify(machine)}\n` : `${human}\n`);
    },
  };
  let command: Command | undefined;
  try {
    const invocation = parseCommandLine(argv, commands);
    if (invocation.kind === 'help') {
      process.stdout.write(`${invocation.command ? commandHelp(invocation.command) : generalHelp(commands)}\n`);
      return 0;
    }
    command = invocation.command;
    const run = command.prepare(invocation.flags);
    const config = loadConfig();
    const db = await openDatabase(databaseTarget(config));
    try {
      if (command !== dbMigrate) await migrate(db.sql, await readMigrations(migrationsDirectory));
      // Log lines go to stderr, warnings and worse only: stdout is the command's answer.
      const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, process.stderr);
      const core = createCore(config, db, { clock: systemClock, logger });
      try {
        return await run({ out, db, config, core });
      } finally {
        await core.close();
      }
    } finally {
      await db.close();
    }
  } catch (error) {
    const failure = describeFailure(error, command?.name);
    process.stderr.write(renderFailure(failure, json));
    return failure.exitCode;
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code));
