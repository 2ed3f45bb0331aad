/** The JSON API, webhooks and operations endpoints: answered as JSON, never rendered by a browser. */
export const apiPaths = /^\/(v1|webhooks|healthz|readyz|metrics|openapi\.json)(\/|$)/;

/** People's pages that show personal data (connect flow, merchant status, admin console). */
export const personalPages = /^\/(admin|merchant|connect|oauth)(\/|$)/;
