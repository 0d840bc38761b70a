/** The CleanupFunction's job: PLACED orders never processed before their expiry become EXPIRED. */
import type { OrdersRepository } from '../repositories/orders';

export interface CleanupResult {
  examined: number;
  expired: number;
  skipped: number;
}

/**
 * Marks EXPIRED every order still PLACED past its expiresAt, via the sparse GSI (no scan).
 * A concurrent change (validated, canceled) fails the conditional write: counted as skipped.
 */
export async function expireStaleOrders(
  orders: OrdersRepository,
  nowEpochSeconds: number,
  opts: { maxPages?: number; pageSize?: number } = {},
): Promise<CleanupResult> {
  const res: CleanupResult = { examined: 0, expired: 0, skipped: 0 };
  let token: string | undefined;
  for (let page = 0; page < (opts.maxPages ?? 1000); page++) {
    const out = await orders.queryStale(nowEpochSeconds, token, opts.pageSize ?? 100);
    for (const key of out.items) {
      res.examined++;
      try {
        await orders.transition(key, 'PLACED', 'EXPIRED', { reason: 'Not processed before expiry' });
        res.expired++;
      } catch (err) {
        const status = (err as { status?: number }).status;
        if (status !== 409 && status !== 404) throw err;
        res.skipped++;
      }
    }
    token = out.nextToken;
    if (!token) break;
  }
  return res;
}
