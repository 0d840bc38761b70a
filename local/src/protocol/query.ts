/**
 * The AWS Query protocol (CloudFormation, and SQS / SNS in older SDKs): form-encoded
 * `Action=<Operation>&Version=...&Name.member.1=...`, answers in XML:
 * `<OpResponse><OpResult>...</OpResult><ResponseMetadata><RequestId/></ResponseMetadata></OpResponse>`.
 */
import { AwsError, type WireProtocol } from './wire';

type Tree = Record<string, unknown>;
const UNSAFE = new Set(['__proto__', 'constructor', 'prototype']);

/** `A.member.2.B=x` → `{ A: [undefined, { B: 'x' }] }`: numbered segments index lists (`member`/`entry` dropped). */
export function decodeQuery(params: URLSearchParams): Tree {
  const root: Tree = {};
  for (const [key, value] of params) {
    const path = key.split('.').filter((seg, i, all) => !((seg === 'member' || seg === 'entry') && /^\d+$/.test(all[i + 1] ?? '')));
    if (path.some((seg) => UNSAFE.has(seg))) throw new AwsError('MalformedQueryString', `Unsupported parameter name ${key}`);
    let node: Tree | unknown[] = root;
    path.forEach((seg, i) => {
      const slot: string | number = /^\d+$/.test(seg) ? Number(seg) - 1 : seg;
      const last = i === path.length - 1;
      const into = node as Record<string | number, unknown>;
      if (last) into[slot] = value;
      else node = (into[slot] ??= /^\d+$/.test(path[i + 1]!) ? [] : {}) as Tree | unknown[];
    });
  }
  return root;
}

const escapeXml = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** An output shape as Query-protocol XML: lists as `<member>` elements, dates as ISO 8601. */
export function toXml(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => `<member>${toXml(v)}</member>`).join('');
  if (typeof value === 'object') {
    return Object.entries(value as Tree)
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => `<${k}>${toXml(v)}</${k}>`)
      .join('');
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return escapeXml(String(value));
  throw new Error(`toXml: a ${typeof value} has no XML form`);
}

export function awsQuery(o: { xmlns: string }): WireProtocol {
  const contentType = 'text/xml';
  return {
    parse(req, body) {
      const params = new URLSearchParams(req.method === 'GET' ? ((req.url ?? '').split('?')[1] ?? '') : body);
      const input = decodeQuery(params);
      const operation = typeof input.Action === 'string' ? input.Action : '';
      delete input.Action;
      delete input.Version;
      return { operation, input };
    },
    result: (op, output, requestId) => ({
      contentType,
      body: `<${op}Response xmlns="${o.xmlns}"><${op}Result>${toXml(output)}</${op}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${op}Response>`,
    }),
    error: (e, requestId) => ({
      contentType,
      body: `<ErrorResponse xmlns="${o.xmlns}"><Error><Type>${e.status < 500 ? 'Sender' : 'Receiver'}</Type><Code>${escapeXml(e.code)}</Code><Message>${escapeXml(e.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
    }),
  };
}
