/**
 * The protocol layer on a real HTTP server: AWS JSON (target header, error shape, request
 * id, content type) and the Query protocol (form input, XML results and errors). The JSON
 * services' own suites drive it with the real SDK clients (sqs, eventbridge, stepfunctions).
 */
import { createServer, type Server } from 'node:http';
import { AwsError, awsJson, awsQuery, awsService, decodeQuery, stringMember, toXml, type AwsServiceOptions } from '.';

let server: Server | undefined;
const logged: string[] = [];

async function serve(o: Omit<AwsServiceOptions, 'log'>): Promise<string> {
  server = createServer(awsService({ ...o, log: (m) => logged.push(m) }));
  await new Promise<void>((ok) => server!.listen(0, '127.0.0.1', ok));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}
afterEach(async () => {
  await new Promise((ok) => (server ? server.close(ok) : ok(undefined)));
  server = undefined;
});

describe('awsJson', () => {
  const operations = {
    Echo: (b: Record<string, unknown>) => ({ got: b }),
    Refuse: () => {
      throw new AwsError('ThingNotFound', 'No such thing', 404, { 'x-extra': 'yes' });
    },
    Crash: () => {
      throw new Error('bug');
    },
  };
  const call = async (url: string, target: string, body: string) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'x-amz-target': target, 'content-type': 'application/x-amz-json-1.1' },
      body,
    });
    return {
      status: res.status,
      type: res.headers.get('content-type'),
      id: res.headers.get('x-amzn-requestid'),
      extra: res.headers.get('x-extra'),
      body: (await res.json()) as Record<string, unknown>,
    };
  };

  it('dispatches on the target, answers with a request id and the protocol content type', async () => {
    const url = await serve({ protocol: awsJson({ version: '1.1', targetPrefix: 'Svc' }), operations });
    const r = await call(url, 'Svc.Echo', '{"a":1}');
    expect(r).toMatchObject({ status: 200, type: 'application/x-amz-json-1.1', body: { got: { a: 1 } } });
    expect(r.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers errors as { __type, message } with their status and headers; a bug is a 500 with the internal code, logged', async () => {
    const url = await serve({
      protocol: awsJson({ version: '1.0', targetPrefix: 'Svc', errorType: (c) => `com.example#${c}` }),
      operations,
      internalErrorCode: 'InternalThing',
    });
    expect(await call(url, 'Svc.Refuse', '{}')).toMatchObject({
      status: 404,
      type: 'application/x-amz-json-1.0',
      extra: 'yes',
      body: { __type: 'com.example#ThingNotFound', message: 'No such thing' },
    });
    expect(await call(url, 'Svc.Crash', '{}')).toMatchObject({
      status: 500,
      body: { __type: 'com.example#InternalThing', message: 'bug' },
    });
    expect(logged.join('\n')).toMatch(/failed: Error: bug/);
  });

  it('refuses a malformed body, an unknown operation and another service’s target with a 400', async () => {
    const url = await serve({ protocol: awsJson({ version: '1.1', targetPrefix: 'Svc' }), operations });
    expect(await call(url, 'Svc.Echo', '{not json')).toMatchObject({ status: 400, body: { __type: 'SerializationException' } });
    expect(await call(url, 'Svc.Echo', '[1]')).toMatchObject({ status: 400, body: { __type: 'SerializationException' } });
    expect(await call(url, 'Svc.Nope', '{}')).toMatchObject({ status: 400, body: { __type: 'UnknownOperationException' } });
    expect(await call(url, 'Other.Echo', '{}')).toMatchObject({ status: 400, body: { __type: 'UnknownOperationException' } });
    expect(await call(url, 'Svc.toString', '{}')).toMatchObject({ status: 400, body: { __type: 'UnknownOperationException' } });
  });

  it('reads a string member as text, and answers an object or a list there with a 400, not "[object Object]"', async () => {
    const url = await serve({
      protocol: awsJson({ version: '1.1', targetPrefix: 'Svc' }),
      operations: { Name: (b: Record<string, unknown>) => ({ name: stringMember(b, 'Name') }) },
    });
    expect(await call(url, 'Svc.Name', '{"Name":"a"}')).toMatchObject({ status: 200, body: { name: 'a' } });
    expect(await call(url, 'Svc.Name', '{"Name":7}')).toMatchObject({ status: 200, body: { name: '7' } });
    expect(await call(url, 'Svc.Name', '{}')).toMatchObject({ status: 200, body: { name: '' } });
    expect(await call(url, 'Svc.Name', '{"Name":{"a":1}}')).toMatchObject({
      status: 400,
      body: { __type: 'SerializationException', message: 'Name: expected a string, got an object' },
    });
    expect(await call(url, 'Svc.Name', '{"Name":["a"]}')).toMatchObject({
      status: 400,
      body: { __type: 'SerializationException', message: 'Name: expected a string, got a list' },
    });
  });
});

describe('awsQuery', () => {
  const xmlns = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';
  const post = async (url: string, form: string) => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
    return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
  };

  it('reads Action and the parameters, answers <OpResponse><OpResult> with lists as members', async () => {
    const url = await serve({
      protocol: awsQuery({ xmlns }),
      operations: {
        DescribeStacks: (b) => ({
          Stacks: [{ StackName: b.StackName, CreationTime: new Date(0), Outputs: [{ OutputKey: 'Url', OutputValue: 'a<b&c' }] }],
        }),
      },
    });
    const r = await post(url, 'Action=DescribeStacks&Version=2010-05-15&StackName=myapp');
    expect(r.status).toBe(200);
    expect(r.type).toBe('text/xml');
    expect(r.text).toMatch(
      new RegExp(
        `^<DescribeStacksResponse xmlns="${xmlns}"><DescribeStacksResult><Stacks><member><StackName>myapp</StackName><CreationTime>1970-01-01T00:00:00.000Z</CreationTime><Outputs><member><OutputKey>Url</OutputKey><OutputValue>a&#60;b&#38;c</OutputValue></member></Outputs></member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>[0-9a-f-]{36}</RequestId></ResponseMetadata></DescribeStacksResponse>$`,
      ),
    );
  });

  it('answers an error as <ErrorResponse> with Sender / Receiver', async () => {
    const url = await serve({
      protocol: awsQuery({ xmlns }),
      operations: {
        DescribeStacks: () => {
          throw new AwsError('ValidationError', 'Stack with id nope does not exist');
        },
      },
    });
    const r = await post(url, 'Action=DescribeStacks&StackName=nope');
    expect(r.status).toBe(400);
    expect(r.text).toContain(
      '<Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id nope does not exist</Message></Error>',
    );
    expect((await post(url, 'Action=DeleteStack')).text).toContain('<Code>UnknownOperationException</Code>');
  });

  it('decodes numbered lists (member / entry dropped) and refuses prototype keys', () => {
    const input = decodeQuery(
      new URLSearchParams(
        'Parameters.member.1.ParameterKey=K&Parameters.member.1.ParameterValue=V&Tags.member.2.Key=b&Entry.1.Id=x&Attributes.entry.1.key=k',
      ),
    );
    expect(input).toEqual({
      Parameters: [{ ParameterKey: 'K', ParameterValue: 'V' }],
      Tags: [undefined, { Key: 'b' }],
      Entry: [{ Id: 'x' }],
      Attributes: [{ key: 'k' }],
    });
    expect(() => decodeQuery(new URLSearchParams('__proto__.polluted=1'))).toThrow(AwsError);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('writes XML for nested shapes, skipping absent values', () => {
    expect(toXml({ A: 1, B: [true, false], C: { D: undefined, E: null, F: 'x' } })).toBe(
      '<A>1</A><B><member>true</member><member>false</member></B><C><F>x</F></C>',
    );
  });
});
