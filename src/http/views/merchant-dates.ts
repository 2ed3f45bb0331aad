const dateFormat = new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'UTC' });
const dateTimeFormat = new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' });

/** `23 November 2026` (UTC), for merchant pages. */
export function formatDate(date: Date): string {
  return dateFormat.format(date);
}

/** `on 23 November 2026 at 10:30 UTC`. */
export function formatDateTime(date: Date): string {
  return `on ${dateTimeFormat.format(date)} UTC`;
}
