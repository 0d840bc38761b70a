import { ConfigError, config } from './config';

describe('config', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('reads required variables and names a missing one', () => {
    process.env.ORDERS_TABLE = 'myapp-OrdersTable';
    expect(config.ordersTable()).toBe('myapp-OrdersTable');
    delete process.env.ORDERS_TABLE;
    expect(() => config.ordersTable()).toThrow(ConfigError);
    expect(() => config.ordersTable()).toThrow(/ORDERS_TABLE/);
    process.env.IDEMPOTENCY_TABLE = '';
    expect(() => config.idempotencyTable()).toThrow(/IDEMPOTENCY_TABLE/);
  });

  it('parses seconds and refuses garbage', () => {
    delete process.env.STALE_ORDER_SECONDS;
    expect(config.staleOrderSeconds()).toBe(3600);
    process.env.STALE_ORDER_SECONDS = '120';
    expect(config.staleOrderSeconds()).toBe(120);
    process.env.STALE_ORDER_SECONDS = '-1';
    expect(() => config.staleOrderSeconds()).toThrow(/STALE_ORDER_SECONDS/);
    process.env.STALE_ORDER_SECONDS = '1.5';
    expect(() => config.staleOrderSeconds()).toThrow(/STALE_ORDER_SECONDS/);
  });

  it('defaults the admin group to the template default', () => {
    delete process.env.ADMIN_GROUP;
    expect(config.adminGroup()).toBe('apiAdmins');
  });

  it('uses path-style S3 only when a local S3 endpoint is set', () => {
    delete process.env.AWS_ENDPOINT_URL_S3;
    expect(config.s3ForcePathStyle()).toBe(false);
    process.env.AWS_ENDPOINT_URL_S3 = 'http://127.0.0.1:4569';
    expect(config.s3ForcePathStyle()).toBe(true);
  });
});
