import { randomBytes, randomInt } from 'node:crypto';
import type { SellerType, SimulatedSeller, SimulatedShop } from './types.js';

export interface NewShop {
  region: string;
  name?: string;
}

export interface NewSeller {
  name?: string;
  /** Default `LOCAL` with one shop, `CROSS_BORDER` when more than one shop is given. */
  sellerType?: SellerType;
  baseRegion?: string;
  shops?: NewShop[];
  openId?: string;
}

/** A seller with fresh random ids: shop ids are 19-digit strings, ciphers `ROW_` + random. */
export function makeSeller(input: NewSeller = {}): SimulatedSeller {
  const shopsInput = input.shops ?? [{ region: input.baseRegion ?? 'US' }];
  const sellerType = input.sellerType ?? (shopsInput.length > 1 ? 'CROSS_BORDER' : 'LOCAL');
  const name = input.name ?? `Test Seller ${randomBytes(3).toString('hex').toUpperCase()}`;
  return {
    openId: input.openId ?? randomBytes(24).toString('base64url'),
    name,
    baseRegion: input.baseRegion ?? (sellerType === 'CROSS_BORDER' ? 'CN' : (shopsInput[0]?.region ?? 'US')),
    sellerType,
    shops: shopsInput.map((shop) => makeShop(shop, name, sellerType)),
  };
}

export function makeShop(input: NewShop, sellerName: string, sellerType: SellerType): SimulatedShop {
  const digits = String(randomInt(1, 10)) + Array.from({ length: 18 }, () => randomInt(0, 10)).join('');
  const codeInfix = sellerType === 'CROSS_BORDER' ? 'CB' : 'LC';
  return {
    id: digits,
    cipher: `ROW_${randomBytes(18).toString('base64url')}`,
    code: `${input.region}${codeInfix}${randomBytes(4).toString('hex').toUpperCase()}`,
    name: input.name ?? `${sellerName} ${input.region}`,
    region: input.region,
  };
}

/** The two sellers every simulator starts with. */
export function builtInSellers(): { local: SimulatedSeller; crossBorder: SimulatedSeller } {
  return {
    local: makeSeller({ name: 'Demo Local Seller', sellerType: 'LOCAL', baseRegion: 'US', shops: [{ region: 'US', name: 'Demo Local Shop US' }] }),
    crossBorder: makeSeller({
      name: 'Demo Cross-Border Seller',
      sellerType: 'CROSS_BORDER',
      baseRegion: 'CN',
      shops: [
        { region: 'GB', name: 'Demo Cross-Border GB' },
        { region: 'DE', name: 'Demo Cross-Border DE' },
        { region: 'FR', name: 'Demo Cross-Border FR' },
      ],
    }),
  };
}
