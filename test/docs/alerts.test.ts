import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createMetrics } from '../../src/shared/metrics.js';
import { connectionStatuses } from '../../src/connections/lifecycle/index.js';

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

const rules = (parse(readFileSync(new URL('../../docs/alerts.yml', import.meta.url), 'utf8')) as { groups: { name: string; rules: Rule[] }[] })
  .groups.flatMap((group) => group.rules);

/** Metric names (and their histogram series) the service's registry serves, with every reader present. */
async function servedNames(): Promise<Set<string>> {
  const metrics = createMetrics({
    processMetrics: true,
    connections: { statuses: connectionStatuses, counts: async () => ({}) },
    outbox: async () => ({ events: 0, oldestAgeSeconds: null, unpublished: 0, oldestUnpublishedAgeSeconds: null }),
    expiringAuthorizations: async () => ({ 1: 0, 7: 0, 30: 0 }),
    databaseUp: async () => true,
    webhookDeliveries: async () => ({ pending: 0, dead: 0, oldestPendingAgeSeconds: null }),
  });
  const names = new Set<string>();
  for (const line of (await metrics.registry.metrics()).split('\n')) {
    const typed = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (!typed) continue;
    const [, name, type] = typed as unknown as [string, string, string];
    names.add(name);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
    if (type === 'summary') for (const suffix of ['_sum', '_count']) names.add(`${name}${suffix}`);
  }
  return names;
}

/** Identifiers in a PromQL expression that name series: everything before `{`, `[`, or a space, minus functions, keywords and label names. */
function metricNames(expr: string): string[] {
  const withoutStrings = expr.replace(/"[^"]*"/g, '""');
  const withoutLabels = withoutStrings.replace(/\{[^}]*\}/g, '').replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '');
  const words = withoutLabels.match(/[a-zA-Z_:][a-zA-Z0-9_:]*(?=\s*[{[)\s=!<>*/+-]|$)/g) ?? [];
  const promql = new Set(['sum', 'rate', 'increase', 'delta', 'histogram_quantile', 'or', 'and', 'unless', 'avg', 'max', 'min', 'count', 'le', 'by']);
  return [...new Set(words.filter((word) => !promql.has(word) && !/^\d/.test(word)))];
}

describe('docs/alerts.yml', () => {
  it('is a Prometheus rules file whose every rule has a name, an expression, a severity and a summary', () => {
    expect(rules.length).toBeGreaterThanOrEqual(8);
    for (const rule of rules) {
      expect(rule.alert).toMatch(/^TikTokShopConnect[A-Za-z0-9]+$/);
      expect(rule.expr.trim()).not.toBe('');
      expect(['page', 'ticket']).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary).toBeTruthy();
    }
  });

  it('alerts on what operators must hear about', () => {
    const names = rules.map((rule) => rule.alert);
    for (const must of ['RefreshFailures', 'GrantsLost', 'AuthorizationsExpiringInBulk', 'WebhookDeliveryBacklog', 'High5xxRate', 'DatabaseUnavailable']) {
      expect(names).toContain(`TikTokShopConnect${must}`);
    }
  });

  it('names only metrics the service serves', async () => {
    const served = await servedNames();
    served.add('up'); // Prometheus's own, per scrape target
    const named = rules.flatMap((rule) => metricNames(rule.expr));
    expect(named).toContain('http_request_duration_seconds_count');
    expect(named).toContain('connect_database_up');
    expect(named).toContain('connect_webhook_oldest_pending_delivery_age_seconds');
    expect(named).toContain('connect_webhook_deliveries');
    expect(named).toContain('connect_outbox_oldest_unpublished_event_age_seconds');
    for (const name of named) expect({ name, served: served.has(name) }).toStrictEqual({ name, served: true });
  });
});
