/**
 * What a template may declare that no local service emulates: named at start-up (grouped
 * by kind, with counts), given names and ARNs so references to them resolve. It emulates
 * nothing. When a service takes one of these kinds over (as the CloudWatch Logs module took
 * the log groups), the kind moves into that service's module.
 */
import type { ServiceModule } from '../contract';
import { notEmulated } from '../kinds';
import { declaredName } from '../template';

export const notEmulatedKinds: ServiceModule = {
  name: 'not-emulated',
  kinds: [
    notEmulated(['AWS::CloudWatch::Alarm'], 'CloudWatch alarms', 'defined, not evaluated', {
      physicalId: (r, ctx) => declaredName(r, 'AlarmName', ctx),
      arn: (r, ctx) => `arn:aws:cloudwatch:${ctx.region}:${ctx.accountId}:alarm:${r.ref}`,
    }),
    notEmulated(['AWS::CloudWatch::Dashboard'], 'CloudWatch dashboards', 'not served', {
      physicalId: (r, ctx) => declaredName(r, 'DashboardName', ctx),
    }),
    notEmulated(['AWS::SNS::Topic'], 'SNS topics', 'nothing is published or delivered', {
      physicalId: (r, ctx) => `arn:aws:sns:${ctx.region}:${ctx.accountId}:${declaredName(r, 'TopicName', ctx)}`,
      arn: (r) => r.ref,
      getAtt: (attr, r) => (attr === 'TopicArn' ? r.ref : attr === 'TopicName' ? r.ref.split(':').pop() : undefined),
    }),
    notEmulated(['AWS::SNS::Subscription'], 'SNS subscriptions', 'nothing is delivered'),
    notEmulated(['AWS::IAM::Role'], 'IAM roles', 'no authorisation locally', {
      physicalId: (r, ctx) => declaredName(r, 'RoleName', ctx),
      arn: (r, ctx) => `arn:aws:iam::${ctx.accountId}:role/${r.ref}`,
    }),
    notEmulated(['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy'], 'IAM policies', 'no authorisation locally'),
  ],
};
