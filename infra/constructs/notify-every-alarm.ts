/**
 * Every alarm reaches a person: each CloudWatch alarm in the app gets the stage's alerts topic as
 * its action on ALARM and on OK (so the all-clear arrives too), and its stack is deployed after the
 * alerts stack. The topic's ARN is computed from its name in each stack, so no stack imports it.
 */
import { type App, ArnFormat, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';

/** arn:<partition>:sns:<region>:<account>:<name>, in `stack`'s environment. */
export const topicArnIn = (stack: Stack, topicName: string): string =>
  stack.formatArn({ service: 'sns', resource: topicName, arnFormat: ArnFormat.NO_RESOURCE_NAME });

export function notifyEveryAlarm(app: App, alerts: Stack, topicName: string): cloudwatch.Alarm[] {
  const alarms = app.node.findAll().filter((c): c is cloudwatch.Alarm => c instanceof cloudwatch.Alarm);
  const raw = app.node.findAll().filter((c) => c instanceof cloudwatch.CfnAlarm && !(c.node.scope instanceof cloudwatch.Alarm));
  if (raw.length > 0)
    throw new Error(`use cloudwatch.Alarm (its actions are set here), not CfnAlarm: ${raw.map((c) => c.node.path).join(', ')}`);

  const actionIn = new Map<Stack, actions.SnsAction>();
  for (const alarm of alarms) {
    const stack = Stack.of(alarm);
    let action = actionIn.get(stack);
    if (!action) {
      action = new actions.SnsAction(sns.Topic.fromTopicArn(stack, 'AlertsTopic', topicArnIn(stack, topicName)));
      actionIn.set(stack, action);
      if (stack !== alerts) stack.addStackDependency(alerts, 'its alarms notify the alerts topic');
    }
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
  }
  return alarms;
}
