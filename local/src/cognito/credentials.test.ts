/** Passwords as salt + verifier, the migration of older scrypt hashes, and one-time codes. */
import { randomBytes, scryptSync } from 'node:crypto';
import { asPendingCode, checkCode, maskEmail, newCode, passwordOk, setPassword } from './credentials';
import type { PoolDef, User } from './model';

const pool = { id: 'us-east-1_AbCdEf123' } as PoolDef;
const user = (): User => ({
  sub: 's',
  username: 'internal-1',
  attributes: {},
  status: 'CONFIRMED',
  enabled: true,
  groups: [],
  created: 0,
  modified: 0,
});

it('keeps a salt and verifier, never the password', () => {
  const u = user();
  setPassword(pool, u, 'Corr3ct-Horse');
  expect(JSON.stringify(u)).not.toContain('Corr3ct-Horse');
  expect(u.srp).toEqual({ salt: expect.stringMatching(/^[0-9a-f]+$/), verifier: expect.stringMatching(/^[0-9a-f]+$/) });
  expect(passwordOk(pool, u, 'Corr3ct-Horse')).toBe(true);
  expect(passwordOk(pool, u, 'Corr3ct-horse')).toBe(false);
});

it('accepts a user’s scrypt hash from an older state dir once and replaces it with a verifier', () => {
  const salt = randomBytes(16);
  const u = { ...user(), passwordHash: `scrypt$${salt.toString('base64')}$${scryptSync('Old-Passw0rd', salt, 32).toString('base64')}` };
  expect(passwordOk(pool, u, 'Wrong-Passw0rd')).toBe(false);
  expect(u.passwordHash).toBeDefined();
  expect(passwordOk(pool, u, 'Old-Passw0rd')).toBe(true);
  expect(u.passwordHash).toBeUndefined();
  expect(u.srp).toBeDefined();
  expect(passwordOk(pool, u, 'Old-Passw0rd')).toBe(true);
});

describe('codes', () => {
  it('refuses a wrong code (counted), an expired one, and any after five wrong tries', () => {
    const c = newCode(60_000);
    expect(c.code).toMatch(/^\d{6}$/);
    const wrong = c.code === '000000' ? '111111' : '000000';
    expect(() => checkCode(c, wrong)).toThrow(expect.objectContaining({ type: 'CodeMismatchException' }));
    expect(c.attempts).toBe(1);
    expect(() => checkCode(c, c.code)).not.toThrow();
    expect(() => checkCode({ ...c, expires: Date.now() - 1 }, c.code)).toThrow(expect.objectContaining({ type: 'ExpiredCodeException' }));
    expect(() => checkCode(undefined, c.code)).toThrow(expect.objectContaining({ type: 'ExpiredCodeException' }));
    for (let i = 0; i < 4; i++) expect(() => checkCode(c, wrong)).toThrow(expect.objectContaining({ type: 'CodeMismatchException' }));
    expect(() => checkCode(c, c.code)).toThrow(expect.objectContaining({ type: 'LimitExceededException' }));
  });

  it('reads a bare sign-up code from an older state dir', () => {
    expect(asPendingCode('123456')).toMatchObject({ code: '123456', attempts: 0 });
  });

  it('masks a mailed destination as Cognito shows it', () => {
    expect(maskEmail('user@example.com')).toBe('u***@e***');
  });
});
