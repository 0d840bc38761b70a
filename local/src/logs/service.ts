/**
 * CloudWatch Logs: the template's log groups (AWS::Logs::LogGroup, with their
 * RetentionInDays) and the groups Lambda writes to (`/aws/lambda/<FunctionName>`, or the
 * function's LoggingConfig.LogGroup, made on its first line as Lambda does), filled from the
 * log bus: every function's output line by line, and the API's access log lines. Served with
 * CloudWatch Logs' JSON protocol: DescribeLogGroups, DescribeLogStreams, GetLogEvents and
 * FilterLogEvents (filter patterns: filter-pattern.ts), so `aws logs ...` and the SDK read
 * them. Kept under `<state>/logs/`: each group's newest 5,000 events and at most 4 MiB of
 * messages, none older than its retention (store.ts).
 * Not emulated: writing from clients (CreateLogGroup, PutLogEvents, PutRetentionPolicy),
 * Logs Insights queries, Live Tail (StartLiveTail), metric and subscription filters,
 * space-delimited filter patterns, KMS keys, data protection, the Step Functions execution
 * logs (the state machine's log group exists and stays empty). Lambda's platform lines are
 * the local runtime's one `REPORT RequestId: ...` text line per invocation, not Lambda's
 * START / END / REPORT (or, with LogFormat JSON, its `platform.*` records).
 */
import { createServer } from 'node:http';
import { join } from 'node:path';
import type { ResourceKind, ServiceContext, ServiceModule, StartedService } from '../contract';
import { closeServer, listenOrUndo } from '../ports';
import { awsJson, awsService } from '../protocol';
import { declaredName, resourcesOfType } from '../template';
import { logsOperations } from './operations';
import { LogStore } from './store';

const logGroupKind: ResourceKind = {
  types: ['AWS::Logs::LogGroup'],
  physicalId: (r, ctx) => declaredName(r, 'LogGroupName', ctx),
  arn: (r, ctx) => `arn:aws:logs:${ctx.region}:${ctx.accountId}:log-group:${r.ref}:*`,
};

async function startLogs(ctx: ServiceContext): Promise<StartedService> {
  const store = new LogStore(join(ctx.stateDir, 'logs'));
  // The stack's groups exist from the start, with the template's retention.
  for (const [id, r] of resourcesOfType(ctx.template, 'AWS::Logs::LogGroup')) {
    const days = Number(r.Properties.RetentionInDays);
    store.group(ctx.template.refs[id]!, Number.isInteger(days) && days > 0 ? days : undefined);
  }
  const unsubscribe = ctx.logs.subscribe((line) => store.append(line.logGroup, line.logStream, line.timestamp, line.message));
  const server = createServer(
    awsService({
      protocol: awsJson({ version: '1.1', targetPrefix: 'Logs_20140328' }),
      operations: logsOperations({ store, region: ctx.region, accountId: ctx.accountId }),
      internalErrorCode: 'ServiceUnavailableException',
      log: (m) => ctx.log('logs', m),
    }),
  );
  const port = await listenOrUndo(server, ctx.port, unsubscribe);
  return {
    url: `http://127.0.0.1:${port}`,
    describe: () => [`logs: ${store.groups.size} log groups (aws logs describe-log-groups)`],
    stop: async () => {
      unsubscribe();
      await closeServer(server);
      store.close();
    },
  };
}

export const logsService: ServiceModule = {
  name: 'logs',
  port: 4586,
  endpointEnv: ['AWS_ENDPOINT_URL_CLOUDWATCH_LOGS'],
  endpoints: (url) => ({ CloudWatchLogsEndpoint: url }),
  kinds: [logGroupKind],
  start: startLogs,
};
