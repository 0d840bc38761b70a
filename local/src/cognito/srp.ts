/**
 * The server half of Cognito's SRP-6a (USER_SRP_AUTH, PASSWORD_VERIFIER), computed as
 * Cognito and its clients (amazon-cognito-identity-js's AuthenticationHelper, Amplify v6)
 * do: the 3072-bit group of RFC 5054 with g = 2, k = H(N | g), SHA-256 over "padded hex"
 * (even length, a leading 00 when the top bit is set), x = H(salt | H(poolName | userId |
 * ":" | password)), u = H(A | B), the session key through HKDF ("Caldera Derived Key",
 * 16 bytes) and the claim as HMAC(key, poolName | userId | secretBlock | timestamp).
 * The server keeps only salt and verifier (v = g^x), as Cognito does: never the password.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const N_HEX =
  'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD' +
  'EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED' +
  'EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F' +
  '83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B' +
  'E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510' +
  '15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7' +
  'ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C' +
  'BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF';

export const N = BigInt(`0x${N_HEX}`);
export const g = 2n;

/** Hex of a non-negative integer as Java's BigInteger.toByteArray would give it. */
export function padHex(n: bigint): string {
  let hex = n.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  return /^[89a-f]/i.test(hex) ? `00${hex}` : hex;
}

const sha256 = (data: Buffer | string): Buffer => createHash('sha256').update(data).digest();
const hexHash = (hex: string): string => sha256(Buffer.from(hex, 'hex')).toString('hex');
const big = (hex: string): bigint => BigInt(`0x${hex || '0'}`);

export const k = big(hexHash(`${padHex(N)}${padHex(g)}`));

export function modPow(base: bigint, exp: bigint, m: bigint): bigint {
  let result = 1n;
  let b = ((base % m) + m) % m;
  for (let e = exp; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % m;
    b = (b * b) % m;
  }
  return result;
}

/** x = H(salt | H(poolName | userId | ":" | password)); userId is USER_ID_FOR_SRP. */
function privateKey(poolName: string, userId: string, password: string, saltHex: string): bigint {
  const inner = sha256(`${poolName}${userId}:${password}`).toString('hex');
  return big(hexHash(padHex(big(saltHex)) + inner));
}

export interface PasswordVerifier {
  /** Hex, as Cognito sends SALT. */
  salt: string;
  /** Hex of v = g^x mod N. */
  verifier: string;
}

/** What the server stores when a password is set. */
export function createPasswordVerifier(poolName: string, userId: string, password: string): PasswordVerifier {
  const salt = padHex(big(randomBytes(16).toString('hex')));
  return { salt, verifier: padHex(modPow(g, privateKey(poolName, userId, password, salt), N)) };
}

/** A plaintext password (USER_PASSWORD_AUTH, the hosted UI) checked against the stored verifier. */
export function passwordMatches(poolName: string, userId: string, password: string, v: PasswordVerifier): boolean {
  const computed = Buffer.from(padHex(modPow(g, privateKey(poolName, userId, password, v.salt), N)), 'hex');
  const stored = Buffer.from(v.verifier, 'hex');
  return computed.length === stored.length && timingSafeEqual(computed, stored);
}

export interface ServerEphemeral {
  /** The server's secret b (hex). */
  b: string;
  /** B = k·v + g^b mod N (hex), sent as SRP_B. */
  B: string;
}

/** b is 256 random bits, the least RFC 5054 asks for (the client's a is 1024). */
export function serverEphemeral(v: PasswordVerifier): ServerEphemeral {
  for (;;) {
    const b = big(randomBytes(32).toString('hex'));
    const B = (k * big(v.verifier) + modPow(g, b, N)) % N;
    if (B !== 0n) return { b: b.toString(16), B: B.toString(16) };
  }
}

/** HKDF-SHA256 as the clients compute it: one block, info "Caldera Derived Key", 16 bytes. */
function sessionKey(S: bigint, u: bigint): Buffer {
  const prk = createHmac('sha256', Buffer.from(padHex(u), 'hex'))
    .update(Buffer.from(padHex(S), 'hex'))
    .digest();
  return createHmac('sha256', prk)
    .update(Buffer.concat([Buffer.from('Caldera Derived Key', 'utf8'), Buffer.from([1])]))
    .digest()
    .subarray(0, 16);
}

export interface PasswordClaim {
  poolName: string;
  userId: string;
  /** SRP_A as the client sent it (hex). */
  A: string;
  ephemeral: ServerEphemeral;
  verifier: PasswordVerifier;
  /** SECRET_BLOCK as sent (base64). */
  secretBlock: string;
  timestamp: string;
  /** PASSWORD_CLAIM_SIGNATURE (base64). */
  signature: string;
}

/** True when the client proved knowledge of the password behind the verifier. */
export function verifyPasswordClaim(c: PasswordClaim): boolean {
  const A = big(c.A);
  if (A % N === 0n) return false;
  const B = big(c.ephemeral.B);
  const u = big(hexHash(padHex(A) + padHex(B)));
  if (u === 0n) return false;
  // S = (A · v^u)^b mod N: the same number the client gets from (B - k·g^x)^(a + u·x).
  const S = modPow((A * modPow(big(c.verifier.verifier), u, N)) % N, big(c.ephemeral.b), N);
  const expected = createHmac('sha256', sessionKey(S, u))
    .update(
      Buffer.concat([
        Buffer.from(c.poolName, 'utf8'),
        Buffer.from(c.userId, 'utf8'),
        Buffer.from(c.secretBlock, 'base64'),
        Buffer.from(c.timestamp, 'utf8'),
      ]),
    )
    .digest();
  const given = Buffer.from(c.signature, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Cognito's TIMESTAMP: "Tue Jan 7 09:05:03 UTC 2025" (day not padded, the rest is). */
export function cognitoTimestamp(d: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${WEEKDAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}

/**
 * The instant a TIMESTAMP names, or undefined when it is not in Cognito's exact format
 * (a zero-padded day is refused, as Cognito refuses it: it signs its own rendering).
 */
export function parseCognitoTimestamp(s: string): Date | undefined {
  const m = /^[A-Z][a-z]{2} ([A-Z][a-z]{2}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2}) UTC (\d{4})$/.exec(s);
  if (!m) return undefined;
  const month = MONTHS.indexOf(m[1]!);
  if (month < 0) return undefined;
  const d = new Date(Date.UTC(Number(m[6]), month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])));
  return cognitoTimestamp(d) === s ? d : undefined;
}
