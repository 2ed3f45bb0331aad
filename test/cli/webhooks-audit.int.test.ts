import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../src/cli/arguments.js';
import { webhookCommands as commands } from '../../src/cli/webhooks.js';
import { startTestService, type TestService } from '../support/service.js';

/**
 * The CLI's subscription changes land in the audit trail like the API's and the console's: actor
 * `system` / `cli` (as `connections sync-shops`). The commands run as the CLI parses and runs them, over a
 * test service's core (the process-level CLI is exercised in webhooks.int.test.ts).
 */
describe('npm run cli -- webhooks: the audit trail', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService();
  }, 180_000);
  afterAll(async () => {
    await service?.stop();
  });

  const cli = async (...argv: string[]): Promise<Record<string, unknown>> => {
    const invocation = parseCommandLine([...argv, '--json'], commands);
    if (invocation.kind === 'help') throw new Error('help');
    let printed: unknown;
    const code = await invocation.command.prepare(invocation.flags)({
      out: { json: true, print: (_human, machine) => void (printed = machine) }, core: service.core, config: service.core.config, db: service.db,
    });
    expect(code).toBe(0);
    return printed as Record<string, unknown>;
  };

  it('records subscribe, pause, resume, rotate-secret, replay and delete with the CLI as actor, never the secret', async () => {
    const created = await cli('webhooks', 'subscribe', '--url', 'http://127.0.0.1:9/audited', '--events', 'tiktok.*');
    const id = created.id as string;
    await cli('webhooks', 'pause', '--id', id);
    await cli('webhooks', 'resume', '--id', id);
    const rotated = await cli('webhooks', 'rotate-secret', '--id', id);
    await cli('webhooks', 'replay', '--id', id, '--since', '2026-01-01T00:00:00Z');
    await cli('webhooks', 'delete', '--id', id);
    await service.core.audit.flush();

    const rows = await service.db.sql.query<{ action: string; actor_type: string; actor_id: string; detail: Record<string, unknown> }>(
      "SELECT action, actor_type, actor_id, detail FROM audit_events WHERE action LIKE 'webhook_subscription.%' ORDER BY id",
    );
    expect(rows.map((row) => [row.action, row.actor_type, row.actor_id, row.detail.subscriptionId])).toStrictEqual([
      ['webhook_subscription.created', 'system', 'cli', id],
      ['webhook_subscription.updated', 'system', 'cli', id],
      ['webhook_subscription.updated', 'system', 'cli', id],
      ['webhook_subscription.secret_rotated', 'system', 'cli', id],
      ['webhook_subscription.replayed', 'system', 'cli', id],
      ['webhook_subscription.deleted', 'system', 'cli', id],
    ]);
    expect(rows.slice(1, 3).map((row) => row.detail.status)).toStrictEqual(['paused', 'active']);
    expect(rows[4]!.detail).toMatchObject({ target: 'since', count: 0 });
    const trail = JSON.stringify(rows);
    expect(trail).not.toContain(created.secret as string);
    expect(trail).not.toContain(rotated.secret as string);
  });

  it('records nothing for reads (list, deliveries)', async () => {
    const created = await cli('webhooks', 'subscribe', '--url', 'http://127.0.0.1:9/reads', '--events', 'tiktok.*');
    await service.core.audit.flush();
    const count = async () => (await service.db.sql.query("SELECT id FROM audit_events WHERE action LIKE 'webhook_subscription.%'")).length;
    const before = await count();
    await cli('webhooks', 'list');
    await cli('webhooks', 'deliveries', '--id', created.id as string);
    await service.core.audit.flush();
    expect(await count()).toBe(before);
  });
});
