/**
 * The server half of SRP against the client half of amazon-cognito-identity-js (its own
 * AuthenticationHelper, BigInteger and DateHelper): every byte the real client computes
 * must verify here, and nothing else may.
 */
import { createHmac } from 'node:crypto';
import {
  cognitoTimestamp,
  createPasswordVerifier,
  k,
  N,
  padHex,
  parseCognitoTimestamp,
  passwordMatches,
  serverEphemeral,
  verifyPasswordClaim,
} from './srp';

interface ClientBigInteger {
  toString(radix: number): string;
}
interface ClientHelper {
  largeAValue: ClientBigInteger;
  k: ClientBigInteger;
  N: ClientBigInteger;
  getLargeAValue(cb: (err: Error | null, A: ClientBigInteger) => void): void;
  getPasswordAuthenticationKey(
    user: string,
    pw: string,
    B: ClientBigInteger,
    salt: ClientBigInteger,
    cb: (err: Error | null, key: Buffer) => void,
  ): void;
}
// The package's own CommonJS build (its typings cover the public classes only).
/* eslint-disable @typescript-eslint/no-require-imports */
const AuthenticationHelper = (
  require('amazon-cognito-identity-js/lib/AuthenticationHelper') as { default: new (pool: string) => ClientHelper }
).default;
const BigInteger = (
  require('amazon-cognito-identity-js/lib/BigInteger') as { default: new (hex: string, radix: number) => ClientBigInteger }
).default;
const DateHelper = (require('amazon-cognito-identity-js/lib/DateHelper') as { default: new () => { getNowString(): string } }).default;
/* eslint-enable @typescript-eslint/no-require-imports */

const POOL_NAME = 'AbCdEf123';
const USER_ID = '8f1c2a4e-1111-4222-8333-944455556666';

/** What CognitoUser.authenticateUserDefaultAuth sends as PASSWORD_VERIFIER responses. */
async function clientClaim(password: string, B: string, salt: string, secretBlock: string, timestamp: string) {
  const helper = new AuthenticationHelper(POOL_NAME);
  const A = await new Promise<ClientBigInteger>((ok, fail) => helper.getLargeAValue((e, a) => (e ? fail(e) : ok(a))));
  const key = await new Promise<Buffer>((ok, fail) =>
    helper.getPasswordAuthenticationKey(USER_ID, password, new BigInteger(B, 16), new BigInteger(salt, 16), (e, hkdf) =>
      e ? fail(e) : ok(hkdf),
    ),
  );
  const signature = createHmac('sha256', key)
    .update(Buffer.concat([Buffer.from(POOL_NAME), Buffer.from(USER_ID), Buffer.from(secretBlock, 'base64'), Buffer.from(timestamp)]))
    .digest('base64');
  return { A: A.toString(16), signature };
}

describe('SRP-6a as Cognito computes it', () => {
  const verifier = createPasswordVerifier(POOL_NAME, USER_ID, 'Corr3ct-Horse');
  const secretBlock = Buffer.from('an opaque secret block').toString('base64');

  it('uses the same group and multiplier as the client', () => {
    const helper = new AuthenticationHelper(POOL_NAME);
    expect(helper.N.toString(16)).toBe(N.toString(16));
    expect(helper.k.toString(16)).toBe(k.toString(16));
  });

  it('verifies the real client’s claim for the right password', async () => {
    for (let i = 0; i < 3; i++) {
      const ephemeral = serverEphemeral(verifier);
      const timestamp = new DateHelper().getNowString();
      const { A, signature } = await clientClaim('Corr3ct-Horse', ephemeral.B, verifier.salt, secretBlock, timestamp);
      expect(verifyPasswordClaim({ poolName: POOL_NAME, userId: USER_ID, A, ephemeral, verifier, secretBlock, timestamp, signature })).toBe(
        true,
      );
    }
  });

  it('refuses a wrong password, another secret block, timestamp, user or pool', async () => {
    const ephemeral = serverEphemeral(verifier);
    const timestamp = cognitoTimestamp(new Date());
    const wrong = await clientClaim('Corr3ct-Horsf', ephemeral.B, verifier.salt, secretBlock, timestamp);
    const base = { poolName: POOL_NAME, userId: USER_ID, ephemeral, verifier, secretBlock, timestamp };
    expect(verifyPasswordClaim({ ...base, ...wrong })).toBe(false);
    const right = await clientClaim('Corr3ct-Horse', ephemeral.B, verifier.salt, secretBlock, timestamp);
    expect(verifyPasswordClaim({ ...base, ...right })).toBe(true);
    expect(verifyPasswordClaim({ ...base, ...right, secretBlock: Buffer.from('another').toString('base64') })).toBe(false);
    expect(verifyPasswordClaim({ ...base, ...right, timestamp: cognitoTimestamp(new Date(Date.now() + 1000)) })).toBe(false);
    expect(verifyPasswordClaim({ ...base, ...right, userId: 'someone-else' })).toBe(false);
    expect(verifyPasswordClaim({ ...base, ...right, poolName: 'OtherPool' })).toBe(false);
    // A = 0 (mod N) would make S predictable: refused outright.
    expect(verifyPasswordClaim({ ...base, ...right, A: N.toString(16) })).toBe(false);
  });

  it('checks a plaintext password against the stored verifier', () => {
    expect(passwordMatches(POOL_NAME, USER_ID, 'Corr3ct-Horse', verifier)).toBe(true);
    expect(passwordMatches(POOL_NAME, USER_ID, 'corr3ct-Horse', verifier)).toBe(false);
    expect(passwordMatches(POOL_NAME, 'other-user', 'Corr3ct-Horse', verifier)).toBe(false);
    // Salted: the same password gives another verifier each time.
    expect(createPasswordVerifier(POOL_NAME, USER_ID, 'Corr3ct-Horse').verifier).not.toBe(verifier.verifier);
  });

  it('pads hex as Java’s BigInteger does (even length, 00 before a set top bit)', () => {
    expect(padHex(0xfn)).toBe('0f');
    expect(padHex(0x7fn)).toBe('7f');
    expect(padHex(0x80n)).toBe('0080');
    expect(padHex(0x1234n)).toBe('1234');
  });
});

describe('Cognito timestamps', () => {
  it('formats as the clients do and reads back the same instant', () => {
    const d = new Date(Date.UTC(2025, 0, 7, 9, 5, 3));
    expect(cognitoTimestamp(d)).toBe('Tue Jan 7 09:05:03 UTC 2025');
    expect(parseCognitoTimestamp('Tue Jan 7 09:05:03 UTC 2025')?.getTime()).toBe(d.getTime());
    const now = new DateHelper().getNowString();
    expect(cognitoTimestamp(parseCognitoTimestamp(now)!)).toBe(now);
  });

  it.each([
    'Tue Jan 07 09:05:03 UTC 2025',
    'Wed Jan 7 09:05:03 UTC 2025',
    'Tue Jan 7 9:05:03 UTC 2025',
    'Tue Jan 7 09:05:03 GMT 2025',
    '2025-01-07T09:05:03Z',
    '',
  ])('refuses %j', (s) => {
    expect(parseCognitoTimestamp(s)).toBeUndefined();
  });
});
