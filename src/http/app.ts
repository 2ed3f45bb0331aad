import express, { type Router } from 'express';
import helmet from 'helmet';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { mountEndpoints, type Endpoint } from './endpoint.js';
import { errorHandler } from './middleware/error-handler.js';
import { refuseLongUrls } from './middleware/limits.js';
import { notFound } from './middleware/not-found.js';
import { requestId } from './middleware/request-id.js';
import { requestLog } from './middleware/request-log.js';
import { healthEndpoints } from './routes/health.js';

export interface AppDeps {
  config: Config;
  logger: Logger;
  db: Database;
  clock: Clock;
  /** Routers mounted before the service's own routes (the simulator in development). */
  extraRouters?: { path: string; router: Router }[];
}

export const jsonBodyLimit = '1mb';

/** Builds the Express app from its dependencies. No listening, no side effects. */
export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.set('query parser', 'simple');
  app.use(requestId);
  app.use(requestLog(deps.logger));
  app.use(helmet({ contentSecurityPolicy: { directives: { 'form-action': null } } }));
  app.use(refuseLongUrls);
  for (const extra of deps.extraRouters ?? []) app.use(extra.path, extra.router);
  app.use(express.json({ limit: jsonBodyLimit }));
  app.use(express.urlencoded({ extended: false, limit: '64kb' }));

  const endpoints: Endpoint[] = [...healthEndpoints(deps)];
  const router = express.Router();
  mountEndpoints(router, endpoints);
  app.use(router);

  app.use(notFound(endpoints));
  app.use(errorHandler(deps.logger));
  return app;
}
