/**
 * S3 through s3rver: the template's buckets created with their CORS rules, objects under
 * the state dir, SigV4 (presigned URLs too) checked against the local `local` keys. Clients
 * use path-style addressing (`forcePathStyle: true`, which an IP endpoint gets anyway).
 * Not emulated: bucket policies and ACLs (no authorisation locally), lifecycle rules,
 * versioning, event notifications, encryption settings, website hosting, replication.
 */
import { join } from 'node:path';
import type { ResourceKind, ServiceModule } from '../contract';
import { notEmulated } from '../kinds';
import { startS3 } from '.';

const bucketKind: ResourceKind = {
  types: ['AWS::S3::Bucket'],
  physicalId: (r, ctx) => {
    const name = r.prop('BucketName');
    return typeof name === 'string' && name ? name : `${ctx.stackName}-${r.logicalId.toLowerCase()}`;
  },
  arn: (r) => `arn:aws:s3:::${r.ref}`,
  getAtt: (attr, r, ctx) =>
    attr === 'DomainName' || attr === 'RegionalDomainName' ? `${r.ref}.s3.${ctx.region}.amazonaws.com` : undefined,
  features: (p) => (p.LifecycleConfiguration ? ['S3 lifecycle rules'] : []),
};

export const s3Service: ServiceModule = {
  name: 's3',
  port: 4569,
  endpointEnv: ['AWS_ENDPOINT_URL_S3'],
  endpoints: (url) => ({ S3Endpoint: url }),
  kinds: [bucketKind, notEmulated(['AWS::S3::BucketPolicy'], 'bucket policies', 'not enforced (no authorisation locally)')],
  start: async (ctx) => {
    // No buckets, no server (the port stays reserved for the endpoint variable).
    if (!Object.values(ctx.template.resources).some((r) => r.Type === 'AWS::S3::Bucket')) return { stop: async () => undefined };
    const s3 = await startS3({ template: ctx.template, port: ctx.port, dir: join(ctx.stateDir, 's3'), log: ctx.log });
    return { url: s3.endpoint, stop: () => s3.stop() };
  },
};
