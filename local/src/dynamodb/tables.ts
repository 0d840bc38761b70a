/** CreateTable inputs for DynamoDB Local from the resolved template. */
import type { CreateTableCommandInput, KeySchemaElement, Projection, StreamViewType } from '@aws-sdk/client-dynamodb';
import type { ResolvedTemplate } from '../template';

export interface TableDefinition {
  logicalId: string;
  input: CreateTableCommandInput;
  /** TTL attribute to enable with UpdateTimeToLive, if the table declares one. */
  ttlAttribute?: string;
}

export const TABLE_TYPES = ['AWS::DynamoDB::Table', 'AWS::Serverless::SimpleTable'] as const;

interface IndexProperties {
  IndexName: string;
  KeySchema: KeySchemaElement[];
  Projection?: Projection;
}

/** The properties read here, of AWS::DynamoDB::Table (shaped as CreateTable's input) and of SAM's SimpleTable. */
interface TableProperties {
  TableName?: unknown;
  AttributeDefinitions?: CreateTableCommandInput['AttributeDefinitions'];
  KeySchema?: KeySchemaElement[];
  GlobalSecondaryIndexes?: IndexProperties[];
  LocalSecondaryIndexes?: IndexProperties[];
  StreamSpecification?: { StreamViewType?: StreamViewType };
  TimeToLiveSpecification?: { Enabled?: boolean; AttributeName?: string };
  PrimaryKey?: { Name: string; Type: string };
}

/** A SimpleTable: its primary key (default `id`, a string), on demand. */
function simpleTable(logicalId: string, name: string, p: TableProperties): TableDefinition {
  const pk = p.PrimaryKey ?? { Name: 'id', Type: 'String' };
  return {
    logicalId,
    input: {
      TableName: name,
      AttributeDefinitions: [{ AttributeName: pk.Name, AttributeType: pk.Type === 'Number' ? 'N' : pk.Type === 'Binary' ? 'B' : 'S' }],
      KeySchema: [{ AttributeName: pk.Name, KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    },
  };
}

/**
 * Keys, GSIs, LSIs, streams and TTL of every table. Billing settings are normalised:
 * DynamoDB Local accepts both modes.
 */
export function tableDefinitionsFromTemplate(t: ResolvedTemplate): TableDefinition[] {
  const defs: TableDefinition[] = [];
  for (const [logicalId, r] of Object.entries(t.resources).filter(([, res]) => (TABLE_TYPES as readonly string[]).includes(res.Type))) {
    // The resolved properties, read as CloudFormation documents them.
    const p = r.Properties as TableProperties;
    const name = typeof p.TableName === 'string' ? p.TableName : t.refs[logicalId]!;
    if (r.Type === 'AWS::Serverless::SimpleTable') {
      defs.push(simpleTable(logicalId, name, p));
      continue;
    }
    const indexes = (list: IndexProperties[] | undefined) =>
      list?.map((i) => ({
        IndexName: i.IndexName,
        KeySchema: i.KeySchema,
        Projection: i.Projection ?? { ProjectionType: 'ALL' as const },
      }));
    const input: CreateTableCommandInput = {
      TableName: name,
      AttributeDefinitions: p.AttributeDefinitions,
      KeySchema: p.KeySchema,
      BillingMode: 'PAY_PER_REQUEST',
    };
    const gsis = indexes(p.GlobalSecondaryIndexes);
    if (gsis?.length) input.GlobalSecondaryIndexes = gsis;
    const lsis = indexes(p.LocalSecondaryIndexes);
    if (lsis?.length) input.LocalSecondaryIndexes = lsis;
    if (p.StreamSpecification?.StreamViewType)
      input.StreamSpecification = { StreamEnabled: true, StreamViewType: p.StreamSpecification.StreamViewType };
    const ttl = p.TimeToLiveSpecification;
    defs.push({ logicalId, input, ...(ttl?.Enabled !== false && ttl?.AttributeName ? { ttlAttribute: ttl.AttributeName } : {}) });
  }
  return defs;
}
