/**
 * DynamoDB and DynamoDB Streams: DynamoDB Local (the real AWS tool, a JVM) on its port,
 * supervised (restarted on the same data after a crash), the template's tables created
 * with their keys, indexes, streams and TTL, and expired TTL items swept (DynamoDB Local
 * never deletes them, so streams would never see the REMOVE records AWS emits).
 * Not emulated: capacity and throttling (every table is on demand), point-in-time recovery
 * and backups, global tables, table classes, contributor insights, Kinesis streaming.
 */
import { join } from 'node:path';
import type { ResourceKind, ServiceContext, ServiceModule, StartedService } from '../contract';
import { declaredName } from '../template';
import { createTables, startDynamoDbLocal, startTtlSweeper, type DynamoDbLocal } from '.';
import { TABLE_TYPES, tableDefinitionsFromTemplate } from './tables';

const tableKind: ResourceKind = {
  types: TABLE_TYPES,
  physicalId: (r, ctx) => declaredName(r, 'TableName', ctx),
  arn: (r, ctx) => `arn:aws:dynamodb:${ctx.region}:${ctx.accountId}:table/${r.ref}`,
  // The real label is a timestamp; the streams service reads the table from the ARN.
  getAtt: (attr, r, ctx) =>
    attr === 'StreamArn' ? `arn:aws:dynamodb:${ctx.region}:${ctx.accountId}:table/${r.ref}/stream/local` : undefined,
  features: (p) => (p.PointInTimeRecoverySpecification ? ['point-in-time recovery'] : []),
};

async function startDynamoDb(ctx: ServiceContext): Promise<StartedService> {
  const tableDefs = tableDefinitionsFromTemplate(ctx.template);
  const log = (m: string) => ctx.log('dynamodb', m);
  // Supervised: a JVM that dies is restarted on the same port and data; its pid is in
  // <stateDir>/dynamodb/pid (the faults suite kills it). An in-memory database comes back
  // empty, so the tables are created again.
  // Filled in once the first start returns: a restart before that has no client to use yet.
  const restart: { client?: DynamoDbLocal['client'] } = {};
  const db = await startDynamoDbLocal({
    port: ctx.port,
    inMemory: !!ctx.options.inMemoryDb,
    dbPath: join(ctx.stateDir, 'dynamodb'),
    region: ctx.region,
    pidFile: join(ctx.stateDir, 'dynamodb', 'pid'),
    log,
    onRestart: async () => {
      const again = restart.client ? await createTables(restart.client, tableDefs) : [];
      if (again.length) log(`created ${again.join(', ')} again (the in-memory database restarted empty)`);
    },
  });
  restart.client = db.client;
  ctx.phase('dynamodb');
  try {
    const created = await createTables(db.client, tableDefs);
    ctx.phase('tables');
    if (created.length) log(`created ${created.join(', ')}`);
  } catch (e) {
    await db.stop();
    throw e;
  }
  const sweeper = ctx.options.ttlSweep !== false ? startTtlSweeper(db.client, tableDefs, log) : undefined;
  return {
    url: db.endpoint,
    stop: async () => {
      sweeper?.stop();
      await db.stop();
    },
  };
}

export const dynamodbService: ServiceModule = {
  name: 'dynamodb',
  port: 8000,
  endpointEnv: ['AWS_ENDPOINT_URL_DYNAMODB', 'AWS_ENDPOINT_URL_DYNAMODB_STREAMS'],
  endpoints: (url) => ({ DynamoDBEndpoint: url, DynamoDBStreamsEndpoint: url }),
  kinds: [tableKind],
  start: startDynamoDb,
};
