import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ASYNC_INVOCATION } from '#infra/async-invocation.ts';
import { defaultTemplates, logicalIdOf } from './service-fixture.ts';

const t = defaultTemplates();
const { workflows } = t.stacks;

/** The alarm on a queue's visible messages, if any. */
const queueAlarm = (queueId: string) =>
  Object.values(t.workflows.findResources('AWS::CloudWatch::Alarm')).find(
    (a) =>
      a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible' &&
      a.Properties.Dimensions?.[0]?.Value?.['Fn::GetAtt']?.[0] === queueId,
  )?.Properties;

describe('SES delivery events', () => {
  it('the configuration set publishes deliveries, bounces, complaints and rejects to the default event bus', () => {
    t.email.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: {
        Enabled: true,
        EventBridgeDestination: { EventBusArn: Match.anyValue() },
        MatchingEventTypes: Match.arrayWith(['delivery', 'bounce', 'complaint', 'reject']),
      },
    });
  });

  it('a rule delivers them to the ses-events function, retrying delivery 8 times into a dead-letter queue with an alarm', () => {
    // Prepare
    const [rule] = Object.values(t.workflows.findResources('AWS::Events::Rule', { Properties: { EventPattern: { source: ['aws.ses'] } } }));
    const target = rule?.Properties.Targets[0];
    const dlqId = target?.DeadLetterConfig.Arn['Fn::GetAtt'][0];

    // Assess
    expect(rule?.Properties.EventPattern['detail-type']).toEqual(expect.arrayContaining(['Email Bounced', 'Email Complaint Received']));
    expect(target).toMatchObject({
      Arn: { 'Fn::GetAtt': [logicalIdOf(workflows.sesEvents.function), 'Arn'] },
      RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 21600 },
    });
    expect(queueAlarm(dlqId)).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
  });

  it('a handler error is retried by Lambda as configured, then ends in the function’s failure destination, which raises an alarm', () => {
    // Prepare
    const queueId = logicalIdOf(workflows.sesEventsFailed.queue);

    // Assess: the function's own async config, stated explicitly (Lambda allows at most 2 retries)
    t.workflows.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalIdOf(workflows.sesEvents.function) },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: ASYNC_INVOCATION.sesEvents.retryAttempts,
      MaximumEventAgeInSeconds: ASYNC_INVOCATION.sesEvents.maxEventAgeSeconds,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
    expect(ASYNC_INVOCATION.sesEvents.retryAttempts).toBe(2);
    expect(queueAlarm(queueId)).toMatchObject({
      AlarmName: 'kvalitetsdialog-dev-ses-events-failed',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    t.workflows.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: logicalIdOf(workflows.sesEvents.role) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: Match.arrayWith(['sqs:SendMessage']), Resource: { 'Fn::GetAtt': [queueId, 'Arn'] } }),
        ]),
      },
    });
  });

  it('alarms on the SES bounce rate', () => {
    t.email.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'AWS/SES', MetricName: 'Reputation.BounceRate', Threshold: 0.05 });
  });
});

describe('the timer tick', () => {
  it('is not retried by Lambda (the next tick is the retry); a failed run lands in its failure destination, which raises an alarm', () => {
    const queueId = logicalIdOf(workflows.timerTickFailed);
    t.workflows.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalIdOf(workflows.timerTick.function) },
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: ASYNC_INVOCATION.timerTick.maxEventAgeSeconds,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
    expect(queueAlarm(queueId)).toMatchObject({ AlarmName: 'kvalitetsdialog-dev-timer-tick-failed', Threshold: 1 });
  });
});
