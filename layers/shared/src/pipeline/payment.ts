import { createHash } from 'node:crypto';
import { paymentDeclined, paymentProviderUnavailable } from './errors';

/** SPEC 6 tokens of the simulated payment provider. */
export const TOKEN_DECLINE = 'tok_decline';
export const TOKEN_FLAKY = 'tok_flaky';

export interface ChargeRequest {
  orderId: string;
  amount: number;
  currency: string;
  paymentToken?: string;
  /** Attempts so far including this one (recorded on the order before calling). */
  attempt: number;
}

export interface Charge {
  chargeId: string;
  status: 'CHARGED';
}

/**
 * The chargeId is derived from the order (a provider idempotency key): retrying a charge
 * that the provider already took yields the same id instead of a second charge.
 */
export function chargeIdFor(orderId: string): string {
  return `ch_${createHash('sha256').update(orderId).digest('hex').slice(0, 24)}`;
}

/** Simulated provider: tok_decline declines, tok_flaky fails the first attempt only. */
export function simulateCharge(req: ChargeRequest): Charge {
  if (req.paymentToken === TOKEN_DECLINE) throw paymentDeclined(req.orderId);
  if (req.paymentToken === TOKEN_FLAKY && req.attempt <= 1) throw paymentProviderUnavailable(req.orderId);
  return { chargeId: chargeIdFor(req.orderId), status: 'CHARGED' };
}
