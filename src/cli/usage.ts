import { globalFlags, type Command, type FlagSpec } from './command.js';

/** `npm run cli -- api-clients revoke --id <id> [--json]` */
export function usageLine(command: Command): string {
  const flags = Object.entries(command.flags).map(([name, spec]) => (spec.required ? flag(name, spec) : `[${flag(name, spec)}]`));
  return ['npm run cli --', command.name, ...flags, '[--json]'].join(' ');
}

/** `npm run cli -- <command> --help` */
export function commandHelp(command: Command): string {
  const rows = Object.entries({ ...command.flags, ...globalFlags }).map(([name, spec]) => [flag(name, spec), `${spec.required ? 'Required. ' : ''}${spec.description}`] as const);
  const width = Math.max(...rows.map(([left]) => left.length));
  return [`Usage: ${usageLine(command)}`, '', command.summary, '', 'Flags:', ...rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`)].join('\n');
}

/** `npm run cli -- --help` */
export function generalHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  return [
    'Usage: npm run cli -- <command> [--flags] [--json]',
    '',
    'Commands:',
    ...commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    '',
    'npm run cli -- <command> --help lists the flags of a command; unknown flags are refused.',
    '--json prints one JSON value on stdout, and errors as {"error":{"code","message","hint"}} on stderr.',
    'Exit codes: 0 done; 1 the command failed; 2 the command line is wrong (nothing was done).',
  ].join('\n');
}

function flag(name: string, spec: FlagSpec): string {
  return spec.value === undefined ? `--${name}` : `--${name} ${spec.value}`;
}
