/**
 * Domain events built from table stream records (SPEC 6): published from the stream so a
 * write and its event cannot diverge.
 */
import type { AttributeValue as SdkAttributeValue } from '@aws-sdk/client-dynamodb';
import { PutEventsCommand, type PutEventsCommandOutput } from '@aws-sdk/client-eventbridge';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { z } from '../schemas/zod';
import { OrderStatus } from '../schemas/orders';

export const ORDERS_SOURCE = 'myapp.orders';
export const USERS_SOURCE = 'myapp.users';

export interface DomainEvent {
  Source: string;
  DetailType: string;
  Detail: Record<string, unknown>;
}

function image(record: DynamoDBRecord, which: 'NewImage' | 'OldImage'): Record<string, unknown> | undefined {
  const img = record.dynamodb?.[which];
  // aws-lambda's and the SDK's AttributeValue types differ only nominally.
  return img ? unmarshall(img as Record<string, SdkAttributeValue>) : undefined;
}

/** The fields an order event needs; anything else in the table is a malformed record. */
const OrderImage = z.looseObject({ orderId: z.string().min(1), userId: z.string().min(1), status: OrderStatus });

/**
 * OrderCreated on INSERT; OrderStatusChanged on a MODIFY that changed the status. A record
 * that is not a valid order throws: it is reported as a batch item failure and, once its
 * retries are spent, lands in order-dlq for a person to look at.
 */
export function orderEventFrom(record: DynamoDBRecord): DomainEvent | undefined {
  const raw = image(record, 'NewImage');
  const next = raw && record.eventName !== 'REMOVE' ? OrderImage.parse(raw) : raw;
  if (record.eventName === 'INSERT' && next) {
    return {
      Source: ORDERS_SOURCE,
      DetailType: 'OrderCreated',
      Detail: {
        orderId: next.orderId,
        userId: next.userId,
        status: next.status,
        total: next.total,
        currency: next.currency,
        createdAt: next.createdAt,
      },
    };
  }
  const prev = image(record, 'OldImage');
  if (record.eventName === 'MODIFY' && next && prev && prev.status !== next.status) {
    return {
      Source: ORDERS_SOURCE,
      DetailType: 'OrderStatusChanged',
      Detail: { orderId: next.orderId, userId: next.userId, from: prev.status, to: next.status },
    };
  }
  return undefined;
}

/** UserCreated on INSERT of a user record. */
export function userEventFrom(record: DynamoDBRecord): DomainEvent | undefined {
  const next = image(record, 'NewImage');
  if (record.eventName !== 'INSERT' || !next) return undefined;
  return {
    Source: USERS_SOURCE,
    DetailType: 'UserCreated',
    Detail: { userId: next.userId, email: next.email, name: next.name, plan: next.plan },
  };
}

/** The slice of EventBridgeClient publishEvent needs (keeps the SDK out of the layer bundle's types). */
export interface EventsSender {
  send(command: PutEventsCommand): Promise<PutEventsCommandOutput>;
}

/** PutEvents answers 200 even when an entry failed: FailedEntryCount must be checked. */
export async function publishEvent(client: EventsSender, busName: string, event: DomainEvent): Promise<void> {
  const out = await client.send(
    new PutEventsCommand({
      Entries: [{ EventBusName: busName, Source: event.Source, DetailType: event.DetailType, Detail: JSON.stringify(event.Detail) }],
    }),
  );
  if ((out.FailedEntryCount ?? 0) > 0) {
    const entry = out.Entries?.[0];
    throw new Error(`PutEvents failed for ${event.DetailType}: ${entry?.ErrorCode ?? 'unknown'} ${entry?.ErrorMessage ?? ''}`.trim());
  }
}
