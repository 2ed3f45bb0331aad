import { unixSeconds, type Clock } from '../shared/clock.js';
import { emptyFaults, type AnswerButFail, type FailureBurst, type FaultState, type Latency } from './faults.js';
import { issueAuthCode, revokeSeller } from './grants.js';
import { makeSeller, makeShop, type NewSeller, type NewShop } from './sellers.js';
import { emptyCounters, type SimulatorCounters, type SimulatorState } from './state.js';
import type { RotationMode, SimulatedSeller, SimulatedShop, SimulatorSettings, StrictSettings } from './types.js';
import { sendWebhook, type WebhookDelivery, type WebhookInput } from './webhooks.js';

export interface SimulatorControl {
  /** The two sellers every simulator starts with (US local; GB/DE/FR cross-border). */
  readonly builtInSellers: { local: SimulatedSeller; crossBorder: SimulatedSeller };
  sellers(): SimulatedSeller[];
  addSeller(input?: NewSeller): SimulatedSeller;
  /**
   * What Approve on the authorize page does, without the HTML. Default: every app scope. A subset
   * stands for a grant made before the app gained scopes (sellers approve all or nothing).
   */
  issueAuthCode(input: { openId: string; grantedScopes?: string[] }): string;
  /**
   * The seller adds a shop to the app's authorization after authorizing (TikTok Shop lets a seller
   * change the authorized shops later): Get Authorized Shops lists it from now on.
   */
  addShop(openId: string, shop: NewShop): SimulatedShop;
  /**
   * The seller removes a shop from the authorization: Get Authorized Shops stops listing it, and a
   * call with its cipher answers 101000 (the token is not associated with that shop).
   */
  removeShop(openId: string, shopId: string): SimulatedShop;
  /** The seller removes the app: access tokens answer 105001 "deauthorized", refresh 36004005. */
  revokeSeller(openId: string): number;
  /** Makes every access token of the seller expire now (105002), for tests on a real clock. */
  expireAccessTokens(openId: string): number;
  settings(): SimulatorSettings;
  setRotation(mode: RotationMode, graceSeconds?: number): void;
  setLifetimes(input: { accessTokenSeconds?: number; refreshTokenSeconds?: number }): void;
  setAppScopes(scopes: string[]): void;
  /** Relaxes (false) or restores (true) the strict behaviours; see {@link StrictSettings}. */
  setStrict(input: Partial<StrictSettings>): void;
  /** false: token get and refresh answers carry no `granted_scopes` (an older grant's payload). */
  setSendGrantedScopes(send: boolean): void;
  /** Answer 105005 on this open API path (template or literal) whatever the scopes. */
  forceScopeDenied(path: string): void;
  /** The next `count` calls (to `path`, or any simulated TikTok path) get 429/36009002, 503/36009003 or 200/36004004. */
  failNext(input: { kind: FailureBurst['kind']; count: number; path?: string }): void;
  setLatency(input: { ms: number; path?: string; count?: number }): void;
  /** The next `count` token gets or refreshes take effect at "TikTok" but the answer is delayed, dropped or a 503. */
  answerButFail(input: { endpoint: AnswerButFail['endpoint']; how: AnswerButFail['how']; ms?: number; count?: number }): void;
  clearFaults(): void;
  sendWebhook(input: WebhookInput): Promise<WebhookDelivery>;
  /**
   * A shop event, delivered as TikTok does: to the address registered for the shop and `eventType`
   * with the Event API, retried until acknowledged. Undefined when no address is registered.
   */
  emitShopEvent(input: Omit<WebhookInput, 'url' | 'retry'> & { shopId: string; eventType: string }): Promise<WebhookDelivery | undefined>;
  /** A snapshot; later calls do not change it. */
  counters(): SimulatorCounters;
  resetCounters(): void;
}

interface ControlDeps {
  appKey: string;
  appSecret: string;
  clock: Clock;
  fetch: typeof fetch;
  /** Waits between retries of an unacknowledged webhook (default TikTok's). */
  retryDelaysMs?: readonly number[];
  state: SimulatorState;
  faults: FaultState;
  builtInSellers: { local: SimulatedSeller; crossBorder: SimulatedSeller };
}

export function createControl(deps: ControlDeps): SimulatorControl {
  const { state, faults, clock } = deps;
  return {
    builtInSellers: deps.builtInSellers,
    sellers: () => [...state.sellers.values()],
    addSeller(input) {
      const seller = makeSeller(input);
      if (state.sellers.has(seller.openId)) throw new Error(`simulator: seller ${seller.openId} already exists`);
      state.sellers.set(seller.openId, seller);
      return seller;
    },
    addShop(openId, input) {
      const seller = state.sellers.get(openId);
      if (seller === undefined) throw new Error(`simulator: no seller ${openId}`);
      const shop = makeShop(input, seller.name, seller.sellerType);
      seller.shops.push(shop);
      return shop;
    },
    removeShop(openId, shopId) {
      const seller = state.sellers.get(openId);
      const index = seller?.shops.findIndex((shop) => shop.id === shopId) ?? -1;
      if (seller === undefined || index < 0) throw new Error(`simulator: seller ${openId} has no shop ${shopId}`);
      return seller.shops.splice(index, 1)[0]!;
    },
    issueAuthCode: ({ openId, grantedScopes }) => issueAuthCode(state, clock, openId, grantedScopes),
    revokeSeller: (openId) => revokeSeller(state, clock, openId),
    expireAccessTokens(openId) {
      const now = unixSeconds(clock.now());
      let expired = 0;
      for (const token of state.accessTokens.values()) {
        if (state.grants.get(token.grantId)?.openId === openId && token.expiresAt > now) {
          token.expiresAt = now;
          expired += 1;
        }
      }
      return expired;
    },
    settings: () => ({ ...state.settings, appScopes: [...state.settings.appScopes], strict: { ...state.settings.strict } }),
    setRotation(mode, graceSeconds) {
      state.settings.rotation = mode;
      if (graceSeconds !== undefined) state.settings.rotationGraceSeconds = graceSeconds;
    },
    setLifetimes({ accessTokenSeconds, refreshTokenSeconds }) {
      if (accessTokenSeconds !== undefined) state.settings.accessTokenLifetimeSeconds = accessTokenSeconds;
      if (refreshTokenSeconds !== undefined) state.settings.refreshTokenLifetimeSeconds = refreshTokenSeconds;
    },
    setAppScopes(scopes) {
      state.settings.appScopes = [...scopes];
    },
    setSendGrantedScopes(send) {
      state.settings.sendGrantedScopes = send;
    },
    setStrict(input) {
      for (const [name, value] of Object.entries(input)) if (value !== undefined) state.settings.strict[name as keyof StrictSettings] = value;
    },
    forceScopeDenied(path) {
      faults.forcedScopeDenied.add(path);
    },
    failNext({ kind, count, path }) {
      faults.bursts.push({ kind, remaining: count, path });
    },
    setLatency({ ms, path, count }) {
      const latency: Latency = { ms, path, remaining: count };
      faults.latencies.push(latency);
    },
    answerButFail({ endpoint, how, ms, count }) {
      faults.answerButFail.push({ endpoint, how, ms, remaining: count ?? 1 });
    },
    clearFaults() {
      Object.assign(faults, emptyFaults());
    },
    async sendWebhook(input) {
      const delivery = await sendWebhook(deps, input);
      state.counters.webhooksSent += 1;
      return delivery;
    },
    async emitShopEvent({ eventType, ...input }) {
      const address = state.shopWebhooks.get(input.shopId)?.get(eventType)?.address;
      if (!address) return undefined;
      const delivery = await sendWebhook(deps, { ...input, url: address, retry: true });
      state.counters.webhooksSent += 1;
      return delivery;
    },
    counters: () => structuredClone(state.counters),
    resetCounters() {
      state.counters = emptyCounters();
    },
  };
}
