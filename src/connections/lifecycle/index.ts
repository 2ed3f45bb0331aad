export { connectionStatuses, isConnectionStatus, type ConnectionStatus } from './statuses.js';
export { transitions, transitionCauses, ruleFor, type TransitionCause, type TransitionName, type TransitionRule } from './transitions.js';
export {
  connectionEventSchemas, connectionEventTypes, parseConnectionEvent, type ConnectionEvent, type ConnectionEventType, type EventDetails,
} from './events.js';
export { createLifecycle, type Lifecycle, type TransitionRequest } from './lifecycle.js';
export { isTiktokRelayType, tiktokRelaySchema, type TiktokRelayPayload } from './tiktok-events.js';
