/**
 * The TTL sweeper against real DynamoDB Local: expired items go, live ones and items with
 * no TTL stay, and a large table is swept a bounded number of pages at a time (resuming
 * where the last sweep stopped) rather than scanned whole on every tick.
 */
import { BatchWriteItemCommand, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { freePort } from '../ports';
import type { TableDefinition } from './tables';
import { createTables, startDynamoDbLocal, startTtlSweeper, type DynamoDbLocal } from './index';

let ddb: DynamoDbLocal;
const def: TableDefinition = {
  logicalId: 'Sessions',
  ttlAttribute: 'ttl',
  input: {
    TableName: 'Sessions',
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
  },
};

beforeAll(async () => {
  ddb = await startDynamoDbLocal({ port: await freePort(), inMemory: true });
  await createTables(ddb.client, [def]);
}, 60_000);
afterAll(async () => ddb?.stop());

async function put(items: Record<string, AttributeValue>[]) {
  for (let i = 0; i < items.length; i += 25) {
    await ddb.client.send(
      new BatchWriteItemCommand({ RequestItems: { Sessions: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }),
    );
  }
}
const ids = async () => ((await ddb.client.send(new ScanCommand({ TableName: 'Sessions' }))).Items ?? []).map((i) => i.id!.S!).sort();

it('deletes expired items, a bounded number of pages per sweep; keeps live and TTL-less ones', async () => {
  const now = Math.floor(Date.now() / 1000);
  const expired = Array.from({ length: 30 }, (_, i) => ({ id: { S: `old-${String(i).padStart(2, '0')}` }, ttl: { N: String(now - 60) } }));
  const live = Array.from({ length: 10 }, (_, i) => ({ id: { S: `live-${i}` }, ttl: { N: String(now + 3600) } }));
  await put([...expired, ...live, { id: { S: 'no-ttl' } }]);

  // Count the Scans each sweep makes. (Recent DynamoDB Local versions may also expire items
  // themselves, so the sweeper's own delete count is not a stable figure; what is left is.)
  let scans = 0;
  const counting = new Proxy(ddb.client, {
    get: (target, prop) =>
      prop === 'send' ? (cmd: unknown) => (cmd instanceof ScanCommand && scans++, target.send(cmd as never)) : Reflect.get(target, prop),
  });
  const sweeper = startTtlSweeper(counting, [def], () => undefined, { intervalMs: 3_600_000, pageSize: 10, pagesPerSweep: 2 });
  try {
    const perSweep: number[] = [];
    for (let i = 0; i < 6; i++) {
      const before = scans;
      await sweeper.sweep();
      perSweep.push(scans - before);
    }
    // 41 items, 10 per page: never more than 2 pages in one sweep, and the cursor moves on.
    expect(Math.max(...perSweep)).toBeLessThanOrEqual(2);
    expect(await ids()).toEqual([...live.map((l) => l.id.S), 'no-ttl'].sort());
  } finally {
    sweeper.stop();
  }
}, 60_000);
