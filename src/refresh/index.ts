export { createRefresher, type Refresher, type RefresherDeps, type FreshToken, type SweepReport } from './refresher.js';
export { createRefresherForService, type RefresherForServiceDeps } from './for-service.js';
export { createNotificationHandler, type NotificationHandler, type NotificationResult } from './notifications.js';
export { classifyFailure, nextAttemptAt, defaultBackoff, type BackoffPolicy, type FailureClass } from './failure.js';
export { expiryWarningDays, warningThreshold } from './authorization-expiry.js';
