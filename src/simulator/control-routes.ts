import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { SimulatorControl } from './control.js';
import type { SimulatorState } from './state.js';

const shopSchema = z.strictObject({ region: z.string().regex(/^[A-Z]{2}$/), name: z.string().min(1).optional() });
const schemas = {
  seller: z.strictObject({
    name: z.string().min(1).optional(),
    sellerType: z.enum(['LOCAL', 'CROSS_BORDER']).optional(),
    baseRegion: z.string().regex(/^[A-Z]{2}$/).optional(),
    shops: z.array(shopSchema).min(1).optional(),
  }),
  authCode: z.strictObject({ openId: z.string().min(1), grantedScopes: z.array(z.string()).optional() }),
  settings: z.strictObject({
    rotation: z.enum(['strict', 'non-rotating', 'grace']).optional(),
    rotationGraceSeconds: z.number().int().nonnegative().optional(),
    accessTokenLifetimeSeconds: z.number().int().positive().optional(),
    refreshTokenLifetimeSeconds: z.number().int().positive().optional(),
    appScopes: z.array(z.string()).optional(),
    sendGrantedScopes: z.boolean().optional(),
    strict: z
      .strictObject({
        requireContentType: z.boolean().optional(),
        refreshRevokesAccessTokens: z.boolean().optional(),
        refuseQueryAccessToken: z.boolean().optional(),
        allOrNothingScopes: z.boolean().optional(),
      })
      .optional(),
  }),
  scopeDenied: z.strictObject({ path: z.string().startsWith('/') }),
  burst: z.strictObject({ kind: z.enum(['rate-limit', 'server-error', 'invalid-auth-code']), count: z.number().int().positive(), path: z.string().startsWith('/').optional() }),
  latency: z.strictObject({ ms: z.number().int().nonnegative().max(120_000), path: z.string().startsWith('/').optional(), count: z.number().int().positive().optional() }),
  answerButFail: z.strictObject({
    endpoint: z.enum(['token-get', 'refresh']),
    how: z.enum(['delay', 'drop', 'server-error']),
    ms: z.number().int().nonnegative().max(120_000).optional(),
    count: z.number().int().positive().optional(),
  }),
  webhook: z.strictObject({
    url: z.url(),
    type: z.number().int().min(1).max(999),
    shopId: z.string().optional(),
    creatorOpenId: z.string().optional(),
    expirationTime: z.number().int().optional(),
    notificationId: z.string().optional(),
    omitNotificationId: z.boolean().optional(),
    rawBody: z.string().optional(),
    retry: z.boolean().optional(),
    data: z.record(z.string(), z.unknown()).optional(),
  }),
};

function parse<T>(schema: z.ZodType<T>, req: Request): T {
  return schema.parse(req.body ?? {});
}

/** JSON control plane, mounted at `/_sim`, for the dev UI and for tests in other processes. */
export function controlRoutes(control: SimulatorControl, state: SimulatorState): Router {
  const router = Router();
  router.use(express.json());

  router.get('/counters', (_req, res) => void res.json(control.counters()));
  router.post('/counters/reset', (_req, res) => {
    control.resetCounters();
    res.status(204).end();
  });
  router.get('/state', (_req, res) => {
    const grants = [...state.grants.values()].map(({ id, openId, grantedScopes, refreshTokenExpiresAt, createdAt, revokedAt }) => ({
      id, openId, grantedScopes, refreshTokenExpiresAt, createdAt, revokedAt: revokedAt ?? null,
    }));
    res.json({ settings: control.settings(), sellers: control.sellers(), grants });
  });
  router.post('/sellers', (req, res) => void res.status(201).json(control.addSeller(parse(schemas.seller, req))));
  router.post('/auth-codes', (req, res) => void res.status(201).json({ code: control.issueAuthCode(parse(schemas.authCode, req)) }));
  router.post('/sellers/:openId/shops', (req, res) => {
    const seller = state.sellers.get(String(req.params.openId));
    if (seller === undefined) return void res.status(404).json({ error: 'unknown seller' });
    res.status(201).json(control.addShop(seller.openId, parse(shopSchema, req)));
  });
  router.delete('/sellers/:openId/shops/:shopId', (req, res) => {
    const seller = state.sellers.get(String(req.params.openId));
    if (!seller?.shops.some((shop) => shop.id === req.params.shopId)) return void res.status(404).json({ error: 'unknown seller or shop' });
    res.json(control.removeShop(seller.openId, String(req.params.shopId)));
  });
  router.post('/sellers/:openId/revoke', (req, res) => void res.json({ revokedGrants: control.revokeSeller(String(req.params.openId)) }));
  router.post('/sellers/:openId/expire-access-tokens', (req, res) => {
    res.json({ expiredTokens: control.expireAccessTokens(String(req.params.openId)) });
  });
  router.put('/settings', (req, res) => {
    const input = parse(schemas.settings, req);
    if (input.rotation !== undefined) control.setRotation(input.rotation, input.rotationGraceSeconds);
    else if (input.rotationGraceSeconds !== undefined) control.setRotation(control.settings().rotation, input.rotationGraceSeconds);
    control.setLifetimes({ accessTokenSeconds: input.accessTokenLifetimeSeconds, refreshTokenSeconds: input.refreshTokenLifetimeSeconds });
    if (input.appScopes !== undefined) control.setAppScopes(input.appScopes);
    if (input.strict !== undefined) control.setStrict(input.strict);
    if (input.sendGrantedScopes !== undefined) control.setSendGrantedScopes(input.sendGrantedScopes);
    res.json(control.settings());
  });
  router.post('/faults/scope-denied', (req, res) => {
    control.forceScopeDenied(parse(schemas.scopeDenied, req).path);
    res.status(204).end();
  });
  router.post('/faults/burst', (req, res) => {
    control.failNext(parse(schemas.burst, req));
    res.status(204).end();
  });
  router.post('/faults/latency', (req, res) => {
    control.setLatency(parse(schemas.latency, req));
    res.status(204).end();
  });
  router.post('/faults/answer-but-fail', (req, res) => {
    control.answerButFail(parse(schemas.answerButFail, req));
    res.status(204).end();
  });
  router.delete('/faults', (_req, res) => {
    control.clearFaults();
    res.status(204).end();
  });
  router.post('/webhooks', async (req, res) => {
    const delivery = await control.sendWebhook(parse(schemas.webhook, req));
    res.json({ status: delivery.status ?? null, error: delivery.error ?? null, payload: delivery.payload });
  });
  router.use((_req, res) => void res.status(404).json({ error: 'unknown simulator control route' }));
  router.use(function controlErrors(error: unknown, _req: Request, res: Response, next: NextFunction) {
    if (error instanceof z.ZodError) return void res.status(400).json({ error: 'invalid control request', issues: error.issues });
    if (error instanceof SyntaxError) return void res.status(400).json({ error: 'malformed JSON' });
    next(error);
  });
  return router;
}
