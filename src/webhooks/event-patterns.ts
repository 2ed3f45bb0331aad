import { connectionEventTypes } from '../connections/lifecycle/index.js';
import { isTiktokEventName, tiktokEventNames } from './tiktok-types.js';

/** Every event type a subscription can name, besides the `tiktok.type_<n>` of unlisted TikTok types. */
export const subscribableEventTypes = [...connectionEventTypes, ...tiktokEventNames];

/** Patterns: `*` (everything), `connection.*` (every connection event, `authorization.expiring` included), `tiktok.*`. */
const wildcards = ['*', 'connection.*', 'tiktok.*'];

/** Why a pattern is refused, or undefined when it is fine. */
export function checkEventPattern(pattern: string): string | undefined {
  if (wildcards.includes(pattern) || (connectionEventTypes as readonly string[]).includes(pattern) || isTiktokEventName(pattern)) return undefined;
  return `"${pattern}" is not an event type: use one of ${wildcards.join(', ')}, a connection event (${connectionEventTypes.join(', ')}) or a TikTok event (tiktok.<name>, tiktok.type_<n>).`;
}

/** Whether an event type is covered by one of the patterns. */
export function matchesEvent(patterns: readonly string[], type: string): boolean {
  const isTiktok = type.startsWith('tiktok.');
  return patterns.some((pattern) => pattern === '*' || pattern === type || (pattern === 'tiktok.*' && isTiktok) || (pattern === 'connection.*' && !isTiktok));
}
