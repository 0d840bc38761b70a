import { useEffect, useState, type FormEvent } from 'react';
import { describeError, type ApiClient } from '../api';
import { navigate } from '../router';
import { money, type Order, type Product, type ProductList } from '../types';
import { Alert } from '../ui';

/** Payment outcomes of the simulated provider (SPEC 6), offered so a person can try each path. */
const PAYMENT_OPTIONS = [
  { token: 'tok_visa', label: 'Card ending 4242 (approves)' },
  { token: 'tok_flaky', label: 'Card with a flaky bank (retries once)' },
  { token: 'tok_decline', label: 'Card that is declined' },
];

export function ShopView({ api }: { api: ApiClient }) {
  const [products, setProducts] = useState<Product[]>();
  const [qty, setQty] = useState<Record<string, number>>({});
  const [payment, setPayment] = useState(PAYMENT_OPTIONS[0]!.token);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api.request<ProductList>('GET', '/products').then(
      (p) => setProducts(p.items),
      (e) => setError(describeError(e)),
    );
  }, [api]);

  const lines = Object.entries(qty)
    .filter(([, q]) => q > 0)
    .map(([sku, q]) => ({ sku, qty: q }));
  const currency = products?.[0]?.currency ?? 'USD';
  const total = lines.reduce((sum, l) => sum + (products?.find((p) => p.sku === l.sku)?.price ?? 0) * l.qty, 0);

  const place = async (e: FormEvent) => {
    e.preventDefault();
    setError('');
    setBusy(true);
    try {
      // The client picks the id, so a retried click cannot place the order twice.
      const orderId = crypto.randomUUID();
      const order = await api.request<Order>('POST', '/orders', { orderId, items: lines, paymentToken: payment });
      navigate(`/orders/${encodeURIComponent(order.orderId ?? orderId)}`);
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="grid-2">
      <section aria-labelledby="shop-title">
        <h1 id="shop-title">Shop</h1>
        <Alert>{error}</Alert>
        {!products && !error && (
          <p className="muted" role="status">
            Loading the catalogue…
          </p>
        )}
        <ul className="products">
          {products?.map((p) => (
            <li key={p.sku} className="card product" data-sku={p.sku}>
              <div>
                <h2>{p.name}</h2>
                {p.description && <p className="muted">{p.description}</p>}
                <p className="price">{money(p.price, p.currency)}</p>
                <p className={p.stock > 0 ? 'stock' : 'stock stock-out'}>{p.stock > 0 ? `${p.stock} in stock` : 'Out of stock'}</p>
              </div>
              <label className="qty">
                Quantity
                <input
                  type="number"
                  min={0}
                  max={Math.min(100, p.stock)}
                  value={qty[p.sku] ?? 0}
                  disabled={p.stock === 0}
                  aria-label={`Quantity of ${p.name}`}
                  onChange={(e) => setQty({ ...qty, [p.sku]: Math.max(0, Math.min(100, Number(e.target.value) || 0)) })}
                />
              </label>
            </li>
          ))}
        </ul>
      </section>
      <aside className="card cart" aria-labelledby="cart-title">
        <h2 id="cart-title">Your order</h2>
        {lines.length === 0 ? (
          <p className="muted">Choose a quantity for a product to start.</p>
        ) : (
          <ul className="lines">
            {lines.map((l) => {
              const p = products?.find((x) => x.sku === l.sku);
              return (
                <li key={l.sku}>
                  <span>
                    {l.qty} × {p?.name ?? l.sku}
                  </span>
                  <span>{money((p?.price ?? 0) * l.qty, currency)}</span>
                </li>
              );
            })}
          </ul>
        )}
        <p className="total">
          <span>Total</span>
          <strong>{money(total, currency)}</strong>
        </p>
        <form onSubmit={place}>
          <label>
            Payment
            <select value={payment} onChange={(e) => setPayment(e.target.value)}>
              {PAYMENT_OPTIONS.map((o) => (
                <option key={o.token} value={o.token}>
                  {o.label}
                </option>
              ))}
            </select>
          </label>
          <button className="btn btn-primary btn-block" disabled={busy || lines.length === 0}>
            {busy ? 'Placing…' : 'Place order'}
          </button>
        </form>
      </aside>
    </div>
  );
}
