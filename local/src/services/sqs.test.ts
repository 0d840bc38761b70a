/** The local SQS endpoint driven by the real @aws-sdk/client-sqs on a free port. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SQSClient,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { startSqs, type SqsService } from './sqs';
import { serviceContext } from '../../test/service-context';

describe('local SQS', () => {
  let stateDir: string;
  let svc: SqsService;
  let sqs: SQSClient;
  const rt = () =>
    serviceContext({
      resources: {
        OrderDLQ: { Type: 'AWS::SQS::Queue', Properties: { MessageRetentionPeriod: 1209600 } },
        Named: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'named-queue', VisibilityTimeout: 1 } },
      },
      stateDir,
    });
  const client = () =>
    new SQSClient({ endpoint: svc.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });

  beforeEach(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'sqs-'));
    svc = await startSqs(rt(), { port: 0 });
    sqs = client();
  });
  afterEach(async () => {
    sqs.destroy();
    await svc.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('serves the template queues with their attributes', async () => {
    const { QueueUrls } = await sqs.send(new ListQueuesCommand({}));
    expect(QueueUrls?.sort()).toEqual([`${svc.url}/123456789012/myapp-OrderDLQ`, `${svc.url}/123456789012/named-queue`]);
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'myapp-OrderDLQ' }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
    expect(Attributes).toMatchObject({
      MessageRetentionPeriod: '1209600',
      QueueArn: 'arn:aws:sqs:us-east-1:123456789012:myapp-OrderDLQ',
      ApproximateNumberOfMessages: '0',
    });
  });

  it('refuses an unknown queue with QueueDoesNotExist', async () => {
    await expect(sqs.send(new GetQueueUrlCommand({ QueueName: 'nope' }))).rejects.toMatchObject({ name: 'QueueDoesNotExist' });
  });

  it('sends, receives with a visibility timeout, and deletes', async () => {
    const QueueUrl = svc.queueUrl('named-queue');
    const sent = await sqs.send(
      new SendMessageCommand({
        QueueUrl,
        MessageBody: 'hello',
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'greeting' } },
      }),
    );
    expect(sent.MessageId).toBeDefined(); // the SDK has checked both MD5s by now
    const first = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['ApproximateReceiveCount'] }),
    );
    expect(first.Messages?.map((m) => m.Body)).toEqual(['hello']);
    expect(first.Messages?.[0]?.MessageAttributes?.kind?.StringValue).toBe('greeting');
    const hidden = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    expect(hidden.Messages ?? []).toHaveLength(0);
    const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessagesNotVisible'] }));
    expect(attrs.Attributes?.ApproximateNumberOfMessagesNotVisible).toBe('1');
    // Visibility timeout of the queue is 1 s: the message comes back with a second receive count.
    const again = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 3, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }),
    );
    expect(again.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe('2');
    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: again.Messages![0]!.ReceiptHandle }));
    const empty = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
    );
    expect(empty.Attributes).toEqual({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });
  });

  it('long-polls until a message arrives', async () => {
    const QueueUrl = svc.queueUrl('myapp-OrderDLQ');
    const started = Date.now();
    const pending = sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 5 }));
    setTimeout(() => svc.send('arn:aws:sqs:us-east-1:123456789012:myapp-OrderDLQ', 'late'), 200);
    const out = await pending;
    expect(out.Messages?.map((m) => m.Body)).toEqual(['late']);
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it('changes visibility and purges', async () => {
    const QueueUrl = svc.queueUrl('myapp-OrderDLQ');
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'a' }));
    const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 60 }));
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: r.Messages![0]!.ReceiptHandle, VisibilityTimeout: 0 }));
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages?.[0]?.Body).toBe('a');
    await sqs.send(new PurgeQueueCommand({ QueueUrl }));
    expect(svc.peek('myapp-OrderDLQ')).toEqual([]);
  });

  it('keeps messages across a restart', async () => {
    await sqs.send(new SendMessageCommand({ QueueUrl: svc.queueUrl('myapp-OrderDLQ'), MessageBody: 'persisted' }));
    sqs.destroy();
    await svc.stop();
    svc = await startSqs(rt(), { port: 0 });
    sqs = client();
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: svc.queueUrl('myapp-OrderDLQ') }));
    expect(out.Messages?.map((m) => m.Body)).toEqual(['persisted']);
  });
});

describe('local SQS queue names', () => {
  it('serves a queue under the name its template resolves to, which is what Ref and GetAtt give (no other names)', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'sqs-'));
    const ctx = serviceContext({
      resources: { OrderDLQ: { Type: 'AWS::SQS::Queue', Properties: { QueueName: { 'Fn::Sub': '${AWS::StackName}-order-dlq' } } } },
      stateDir,
    });
    expect(ctx.template.arns.OrderDLQ).toBe('arn:aws:sqs:us-east-1:123456789012:myapp-order-dlq');
    expect(ctx.template.refs.OrderDLQ).toMatch(/\/123456789012\/myapp-order-dlq$/);
    const svc = await startSqs(ctx, { port: 0 });
    try {
      svc.send(ctx.template.arns.OrderDLQ!, 'via the ARN');
      svc.send(ctx.template.refs.OrderDLQ!, 'via the URL');
      expect(svc.peek('myapp-order-dlq').map((m) => m.Body)).toEqual(['via the ARN', 'via the URL']);
      expect(() => svc.send('arn:aws:sqs:us-east-1:123456789012:myapp-OrderDLQ', 'the logical id is no name')).toThrow(/does not exist/);
    } finally {
      await svc.stop();
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
