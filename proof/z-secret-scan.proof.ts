import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dumpDir, logDir, recordFigures, secretsFile } from './support/figures.js';

/**
 * Last of the proof run (files run in name order): every secret the run made or saw — API keys,
 * access and refresh tokens TikTok (the simulator) issued, the app secret, the metrics token — is
 * looked for in every log line every service wrote and in a dump of every database the run used.
 * Query-string API keys (`?api_key=…`, sent by the fuzzing and the authorization matrix) included.
 */
describe('secret scan of every log line and every database dump of the run', () => {
  it('finds no secret anywhere', () => {
    expect(existsSync(secretsFile), 'the run remembered its secrets').toBe(true);
    const secrets = [...new Set(readFileSync(secretsFile, 'utf8').split('\n').filter((line) => line.length >= 8))];
    const files = [
      ...readdirSync(logDir).map((name) => join(logDir, name)),
      ...(existsSync(dumpDir) ? readdirSync(dumpDir).map((name) => join(dumpDir, name)) : []),
    ];
    let lines = 0;
    let bytes = 0;
    const found: string[] = [];
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      bytes += text.length;
      const fileLines = text.split('\n');
      lines += fileLines.length;
      for (const [index, line] of fileLines.entries()) {
        for (const secret of secrets) {
          if (line.includes(secret)) found.push(`${file.split('/proof/out/')[1]}:${index + 1} holds ${secret.slice(0, 6)}…`);
        }
      }
    }
    const queryKeyLines = files.filter((file) => file.startsWith(logDir)).reduce((sum, file) => sum + (readFileSync(file, 'utf8').match(/api_key=\[REDACTED\]/g)?.length ?? 0), 0);
    recordFigures('secret scan', {
      secrets: secrets.length, files: files.length, lines, megabytes: Math.round(bytes / 1e5) / 10,
      redactedQueryApiKeysInLogs: queryKeyLines, found: found.length,
    });
    expect(secrets.length).toBeGreaterThanOrEqual(3);
    expect(lines).toBeGreaterThan(1000);
    expect(found.slice(0, 20)).toStrictEqual([]);
  });
});
