/** S3 through s3rver: the template's buckets (and their CORS) created, data under the state dir. */
import { mkdirSync } from 'node:fs';
import S3rver from 's3rver';
import { DUMMY_ACCOUNT } from 's3rver/lib/models/account';
import { resourcesOfType, type ResolvedTemplate } from '../template';

export interface S3Local {
  endpoint: string;
  buckets: string[];
  stop(): Promise<void>;
}

function xmlEscape(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** CloudFormation CorsConfiguration → the S3 CORS XML s3rver reads. */
export function corsXml(cors: unknown): string | undefined {
  const rules = (cors as { CorsRules?: Record<string, unknown>[] } | undefined)?.CorsRules;
  if (!rules?.length) return undefined;
  const list = (tag: string, v: unknown) => (Array.isArray(v) ? v.map((x) => `<${tag}>${xmlEscape(String(x))}</${tag}>`).join('') : '');
  const body = rules
    .map(
      (r) =>
        `<CORSRule>${list('AllowedOrigin', r.AllowedOrigins)}${list('AllowedMethod', r.AllowedMethods)}${list('AllowedHeader', r.AllowedHeaders)}${list('ExposeHeader', r.ExposedHeaders)}${r.MaxAge !== undefined ? `<MaxAgeSeconds>${Number(r.MaxAge)}</MaxAgeSeconds>` : ''}</CORSRule>`,
    )
    .join('');
  return `<CORSConfiguration>${body}</CORSConfiguration>`;
}

export async function startS3(o: {
  template: ResolvedTemplate;
  port: number;
  dir: string;
  log: (s: string, m: string) => void;
}): Promise<S3Local> {
  mkdirSync(o.dir, { recursive: true });
  // Functions sign with the local dummy keys; s3rver checks signatures against its key registry.
  DUMMY_ACCOUNT.createKeyPair('local', 'local');
  const buckets = resourcesOfType(o.template, 'AWS::S3::Bucket').map(([id, r]) => {
    const name = typeof r.Properties.BucketName === 'string' ? r.Properties.BucketName : o.template.refs[id]!;
    const xml = corsXml(r.Properties.CorsConfiguration);
    return { name, ...(xml ? { configs: [xml] } : {}) };
  });
  const server = new S3rver({ address: '127.0.0.1', port: o.port, silent: true, directory: o.dir, configureBuckets: buckets });
  await server.run();
  return {
    endpoint: `http://127.0.0.1:${o.port}`,
    buckets: buckets.map((b) => b.name),
    stop: async () => {
      server.httpServer?.closeAllConnections();
      await server.close();
    },
  };
}
