import { createHash } from 'node:crypto';
import type { SimulatedShop } from './types.js';

/** Deterministic per shop, so a test can fetch an order id from search and read it back by id. */
function digits(seed: string, length: number): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return (BigInt(`0x${hex}`) % 10n ** BigInt(length)).toString().padStart(length, '1').replace(/^0/, '5');
}

const statuses = ['AWAITING_SHIPMENT', 'IN_TRANSIT', 'COMPLETED'] as const;

export function ordersOf(shop: SimulatedShop, createdAround: number) {
  return statuses.map((status, index) => ({
    id: `57${digits(`${shop.id}:order:${index}`, 16)}`,
    status,
    create_time: createdAround - (index + 1) * 86_400,
    update_time: createdAround - index * 3_600,
    payment: { currency: currencyOf(shop.region), total_amount: String(19.99 + index * 10) },
    line_items: [{ id: digits(`${shop.id}:line:${index}`, 18), product_name: `Simulated product ${index + 1}`, sale_price: '19.99' }],
  }));
}

export function productsOf(shop: SimulatedShop, createdAround: number) {
  return [0, 1, 2, 3].map((index) => ({
    id: `17${digits(`${shop.id}:product:${index}`, 17)}`,
    title: `Simulated product ${index + 1} (${shop.region})`,
    status: index === 3 ? 'SELLER_DEACTIVATED' : 'ACTIVATE',
    create_time: createdAround - (index + 10) * 86_400,
    update_time: createdAround - index * 7_200,
    skus: [{ id: digits(`${shop.id}:sku:${index}`, 19), seller_sku: `SIM-${index + 1}`, price: { currency: currencyOf(shop.region), sale_price: '19.99' } }],
  }));
}

export function statementsOf(shop: SimulatedShop, createdAround: number) {
  return [0, 1].map((index) => ({
    id: digits(`${shop.id}:statement:${index}`, 19),
    statement_time: createdAround - (index + 1) * 7 * 86_400,
    currency: currencyOf(shop.region),
    settlement_amount: String(1234.5 - index * 100),
    payment_status: 'PAID',
  }));
}

function currencyOf(region: string): string {
  return ({ US: 'USD', GB: 'GBP', DE: 'EUR', FR: 'EUR', ES: 'EUR', IT: 'EUR' } as Record<string, string>)[region] ?? 'USD';
}
