import { useCallback, useEffect, useRef, useState } from 'react';
import { describeError, type ApiClient } from '../api';
import { WORKFLOW_PATH, isCancellable, isInPipeline } from '@myapp/shared/orders';
import { money, type Order, type OrderListResponse } from '../types';
import { Alert, Link, StatusBadge } from '../ui';

const POLL_MS = 1000;
/** Polling stops after this long even if the order never ends (the page offers a refresh). */
const POLL_LIMIT_MS = 5 * 60 * 1000;

export function OrdersView({ api }: { api: ApiClient }) {
  const [orders, setOrders] = useState<Order[]>();
  const [next, setNext] = useState<string>();
  const [error, setError] = useState('');
  const load = useCallback(
    async (token?: string) => {
      try {
        const p = await api.request<OrderListResponse>('GET', `/orders?limit=20${token ? `&nextToken=${encodeURIComponent(token)}` : ''}`);
        setOrders((prev) => (token ? [...(prev ?? []), ...p.items] : p.items));
        setNext(p.nextToken);
      } catch (e) {
        setError(describeError(e));
      }
    },
    [api],
  );
  useEffect(() => void load(), [load]);

  return (
    <section aria-labelledby="orders-title">
      <h1 id="orders-title">Your orders</h1>
      <Alert>{error}</Alert>
      {orders?.length === 0 && (
        <p className="muted">
          No orders yet. <Link to="/">Visit the shop</Link>.
        </p>
      )}
      <ul className="list">
        {orders?.map((o) => (
          <li key={o.orderId} className="card row">
            <Link to={`/orders/${encodeURIComponent(o.orderId)}`} className="row-main">
              <strong>Order {o.orderId.slice(0, 8)}</strong>
              <span className="muted">
                {new Date(o.createdAt).toLocaleString()} · {o.items.reduce((n, l) => n + l.qty, 0)} items
              </span>
            </Link>
            <span>{money(o.total, o.currency)}</span>
            <StatusBadge status={o.status} />
          </li>
        ))}
      </ul>
      {next && (
        <button type="button" className="btn" onClick={() => void load(next)}>
          Load more
        </button>
      )}
    </section>
  );
}

export function OrderDetailView({ api, orderId }: { api: ApiClient; orderId: string }) {
  const [order, setOrder] = useState<Order>();
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [polling, setPolling] = useState(true);
  const started = useRef(Date.now());

  const fetchOrder = useCallback(async () => {
    try {
      const o = await api.request<Order>('GET', `/orders/${encodeURIComponent(orderId)}`);
      setOrder(o);
      setError('');
      return o;
    } catch (e) {
      setError(describeError(e));
      return undefined;
    }
  }, [api, orderId]);

  // Follow the order live: poll while the workflow may still move it (or until the time limit).
  useEffect(() => {
    let stop = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    started.current = Date.now();
    setPolling(true);
    const tick = async () => {
      const o = await fetchOrder();
      if (stop) return;
      if ((o && !isInPipeline(o.status)) || Date.now() - started.current > POLL_LIMIT_MS) return setPolling(false);
      timer = setTimeout(() => void tick(), POLL_MS);
    };
    void tick();
    return () => {
      stop = true;
      if (timer) clearTimeout(timer);
    };
  }, [fetchOrder]);

  const cancel = async () => {
    setBusy(true);
    setError('');
    try {
      const o = await api.request<Order | undefined>('DELETE', `/orders/${encodeURIComponent(orderId)}`);
      // The API answers with the canceled order; read it again if it sent no body.
      if (o?.orderId) setOrder(o);
      else await fetchOrder();
    } catch (e) {
      setError(describeError(e));
      await fetchOrder();
    } finally {
      setBusy(false);
    }
  };

  const cancellable = order !== undefined && isCancellable(order);
  const reached = new Set(order?.history.map((h) => h.status));

  return (
    <section aria-labelledby="order-title" className="card order">
      <p>
        <Link to="/orders">← All orders</Link>
      </p>
      <div className="order-head">
        <h1 id="order-title">Order {orderId.slice(0, 8)}</h1>
        {order && <StatusBadge status={order.status} />}
      </div>
      <Alert>{error}</Alert>
      {!order && !error && (
        <p className="muted" role="status">
          Loading…
        </p>
      )}
      {order && (
        <>
          <p className="muted" aria-live="polite">
            {polling
              ? 'Following this order live…'
              : !isInPipeline(order.status)
                ? 'This order is complete.'
                : 'Stopped following; refresh to update.'}
          </p>
          <ol className="steps" aria-label="Progress">
            {WORKFLOW_PATH.map((s) => (
              <li key={s} className={reached.has(s) || order.status === s ? 'step step-done' : 'step'}>
                {s.charAt(0) + s.slice(1).toLowerCase()}
              </li>
            ))}
          </ol>
          {order.status === 'FAILED' && (
            <Alert>This order failed{order.failureReason ? `: ${order.failureReason}` : ''}. Any payment was refunded.</Alert>
          )}
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Product</th>
                <th scope="col">Qty</th>
                <th scope="col">Price</th>
              </tr>
            </thead>
            <tbody>
              {order.items.map((l) => (
                <tr key={l.sku}>
                  <td>{l.sku}</td>
                  <td>{l.qty}</td>
                  <td>{money(l.price * l.qty, order.currency)}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row" colSpan={2}>
                  Total
                </th>
                <td>{money(order.total, order.currency)}</td>
              </tr>
            </tfoot>
          </table>
          <h2>History</h2>
          <ul className="history">
            {order.history.map((h, i) => (
              <li key={i}>
                <StatusBadge status={h.status} /> <span className="muted">{new Date(h.at).toLocaleTimeString()}</span>
                {h.reason ? ` — ${h.reason}` : ''}
              </li>
            ))}
          </ul>
          {cancellable && (
            <button type="button" className="btn btn-danger" onClick={() => void cancel()} disabled={busy}>
              {busy ? 'Canceling…' : 'Cancel order'}
            </button>
          )}
        </>
      )}
    </section>
  );
}
