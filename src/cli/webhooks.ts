import { registerTiktokWebhooks } from '../apps/tiktok-webhook-registration.js';
import { ValidationFailed } from '../shared/errors.js';
import { deliveryStatuses, type Subscription } from '../webhooks/model.js';
import type { ReplayTarget } from '../webhooks/subscriptions.js';
import { flagList, flagValue } from './arguments.js';
import type { Command } from './command.js';
import type { SubscriptionHealth } from '../db/stores/webhook-delivery-store.js';

/** The CLI operator: every change is audited as actor `system` / `cli` (like `connections sync-shops`). */
const operator = { kind: 'operator', auditAs: 'cli' } as const;
const idFlag = { id: { value: '<id>', required: true, description: 'The subscription (webhooks list shows ids).' } };

function describe(subscription: Subscription, health: SubscriptionHealth | undefined): string {
  const rate = health && health.attemptsLastDay > 0 ? `${Math.round((100 * health.successesLastDay) / health.attemptsLastDay)}% ok (24 h)` : 'no attempts (24 h)';
  return [
    `${subscription.id}  ${subscription.status.padEnd(6)} ${subscription.url}`,
    `  events ${subscription.events.join(',')}  shops ${subscription.shopIds?.join(',') ?? 'all'}  apps ${subscription.apps?.join(',') ?? 'all'}`,
    `  ${rate}, backlog ${health?.backlog ?? 0}, dead letters ${health?.deadLetters ?? 0}${health?.lastError ? `, last error ${health.lastError}` : ''}`,
    ...(subscription.pausedReason ? [`  ${subscription.pausedReason}`] : []),
  ].join('\n');
}

const statusCommand = (to: 'active' | 'paused'): Command => ({
  name: to === 'paused' ? 'webhooks pause' : 'webhooks resume',
  summary: to === 'paused' ? 'Pauses a subscription: its deliveries wait until it is resumed.' : 'Resumes a paused subscription: waiting deliveries go out.',
  flags: idFlag,
  prepare(flags) {
    const id = flagValue(flags, 'id')!;
    return async ({ out, core }) => {
      const subscription = await core.webhooks.subscriptions.update(operator, id, { status: to });
      out.print(`${subscription.id} is ${subscription.status}.`, subscription);
      return 0;
    };
  },
});

/** `webhooks subscribe|list|pause|resume|delete|rotate-secret|deliveries|replay`: the same operations as /v1/webhook-subscriptions, for operators. */
export const webhookCommands: Command[] = [
  {
    name: 'webhooks register-tiktok',
    summary: "Sets this service's webhook URL at TikTok (Event API) for every event type on every connected shop, and reports what TikTok has.",
    flags: { app: { value: '<id>', description: 'The TikTok app (default: default, the only one configured).' } },
    prepare(flags) {
      const app = flagValue(flags, 'app') ?? 'default';
      if (app !== 'default') throw new ValidationFailed(`--app ${app} is not configured: this service has one TikTok app, "default".`);
      return async ({ out, core, config }) => {
        const connections = await core.operator.listings.list({ status: 'active', limit: 10_000 });
        const address = `${config.publicUrl}/webhooks/tiktok`;
        const results = await registerTiktokWebhooks({ shopCalls: core.v1.shopCalls, shopIds: connections.flatMap((c) => c.shops.map((shop) => shop.id)), address });
        out.print(
          results.length === 0
            ? 'No connected shops.'
            : results.map((r) => `${r.shopId}  ${r.error ?? `${r.registered.length} event type(s) set to ${address}${r.failed.length ? `, ${r.failed.length} failed (${r.failed[0]!.error})` : ''}; TikTok has ${r.tiktokHas.length}`}`).join('\n'),
          { address, shops: results },
        );
        return results.some((r) => r.error || r.failed.length > 0) ? 1 : 0;
      };
    },
  },
  {
    name: 'webhooks subscribe',
    summary: 'Subscribes a URL to events and prints the signing secret once.',
    flags: {
      url: { value: '<url>', required: true, description: 'Where events are POSTed (https in production).' },
      events: { value: '<a,b>', required: true, description: 'Event types or patterns: tiktok.order_status_change, connection.*, tiktok.*, *.' },
      shops: { value: '<id,id>', description: 'Only events of these shops. Left out: every shop.' },
      apps: { value: '<a,b>', description: 'Only events of these TikTok apps. Left out: every app.' },
    },
    prepare(flags) {
      const events = flagList(flags, 'events') ?? [];
      const shopIds = flagList(flags, 'shops');
      const apps = flagList(flags, 'apps');
      if (events.length === 0) throw new ValidationFailed('--events is empty.', [], { hint: 'Name event types or patterns, e.g. --events tiktok.*,connection.*' });
      return async ({ out, core }) => {
        const { subscription, secret } = await core.webhooks.subscriptions.create(operator, {
          url: flagValue(flags, 'url')!, events, ...(shopIds ? { shopIds } : {}), ...(apps ? { apps } : {}),
        });
        out.print(`Created ${subscription.id} for ${subscription.url}.\n\n  ${secret}\n\nThis signing secret is shown once; give it to the receiver now.`, { ...subscription, secret });
        return 0;
      };
    },
  },
  {
    name: 'webhooks list',
    summary: 'Lists every subscription with its health: success rate, backlog, dead letters, last error.',
    flags: {},
    prepare: () => async ({ out, core }) => {
      const subscriptions = await core.webhooks.subscriptions.list(operator);
      const health = new Map((await core.webhooks.health()).map((entry) => [entry.subscriptionId, entry]));
      out.print(
        subscriptions.length === 0 ? 'No webhook subscriptions.' : subscriptions.map((subscription) => describe(subscription, health.get(subscription.id))).join('\n'),
        subscriptions.map((subscription) => ({ ...subscription, health: health.get(subscription.id) })),
      );
      return 0;
    },
  },
  statusCommand('paused'),
  statusCommand('active'),
  {
    name: 'webhooks delete',
    summary: 'Deletes a subscription and its deliveries.',
    flags: idFlag,
    prepare(flags) {
      const id = flagValue(flags, 'id')!;
      return async ({ out, core }) => {
        await core.webhooks.subscriptions.delete(operator, id);
        out.print(`Deleted ${id}.`, { id, deleted: true });
        return 0;
      };
    },
  },
  {
    name: 'webhooks rotate-secret',
    summary: 'Makes a new signing secret and prints it once; the old one keeps signing for 24 h.',
    flags: idFlag,
    prepare(flags) {
      const id = flagValue(flags, 'id')!;
      return async ({ out, core }) => {
        const rotated = await core.webhooks.subscriptions.rotateSecret(operator, id);
        const previousSecretExpiresAt = rotated.previousSecretExpiresAt.toISOString();
        out.print(`New secret for ${id}:\n\n  ${rotated.secret}\n\nThe old secret also signs until ${previousSecretExpiresAt}.`, { id, secret: rotated.secret, previousSecretExpiresAt });
        return 0;
      };
    },
  },
  {
    name: 'webhooks deliveries',
    summary: "Lists a subscription's latest deliveries with their attempts.",
    flags: { ...idFlag, status: { value: '<status>', description: `Only deliveries in this status: ${deliveryStatuses.join(', ')}.` } },
    prepare(flags) {
      const id = flagValue(flags, 'id')!;
      const status = flagValue(flags, 'status');
      if (status !== undefined && !(deliveryStatuses as readonly string[]).includes(status)) throw new ValidationFailed(`--status must be one of ${deliveryStatuses.join(', ')}.`);
      return async ({ out, core }) => {
        const deliveries = await core.webhooks.subscriptions.deliveries(operator, id, { limit: 50, ...(status ? { status: status as (typeof deliveryStatuses)[number] } : {}) });
        out.print(
          deliveries.length === 0 ? 'No deliveries.' : deliveries.map((d) => `${d.id}  ${d.status.padEnd(9)} ${d.eventType} (event ${d.eventId}), ${d.attempts} attempt(s)${d.lastError ? `, ${d.lastError}` : ''}`).join('\n'),
          deliveries,
        );
        return 0;
      };
    },
  },
  {
    name: 'webhooks replay',
    summary: 'Sends events again: one delivery, every dead letter, or everything since a time.',
    flags: {
      ...idFlag,
      delivery: { value: '<delivery id>', description: 'Replay this delivery (webhooks deliveries shows ids).' },
      'dead-letters': { description: 'Replay every dead letter not replayed yet.' },
      since: { value: '<ISO time>', description: 'Replay every event delivered (or not) since this time.' },
    },
    prepare(flags) {
      const id = flagValue(flags, 'id')!;
      const delivery = flagValue(flags, 'delivery');
      const since = flagValue(flags, 'since');
      const chosen = [delivery !== undefined, flags['dead-letters'] === true, since !== undefined].filter(Boolean).length;
      if (chosen !== 1) throw new ValidationFailed('Give exactly one of --delivery, --dead-letters and --since.');
      if (since !== undefined && Number.isNaN(Date.parse(since))) throw new ValidationFailed('--since must be a time such as 2026-12-01T10:00:00Z.');
      if (delivery !== undefined && !/^\d{1,18}$/.test(delivery)) throw new ValidationFailed('--delivery must be a delivery id (digits).');
      const target: ReplayTarget = delivery !== undefined ? { deliveryId: delivery } : since !== undefined ? { since: new Date(since) } : { deadLetters: true };
      return async ({ out, core }) => {
        const replayed = await core.webhooks.subscriptions.replay(operator, id, target);
        out.print(replayed.length === 0 ? 'Nothing to replay.' : `Queued ${replayed.length} delivery(ies); running services send them at once.`, { replayed });
        return 0;
      };
    },
  },
];
