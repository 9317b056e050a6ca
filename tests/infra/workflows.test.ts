import aslValidator from 'asl-validator';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { LOCAL_FUNCTIONS, localFunctionArn, type PhaseName, phases, renderLocalDefinitions } from '#workflows/index.ts';
import { defaultRefs, type RefResolver, resolveIntrinsics } from '#workflows/intrinsics.ts';
import { buildTestService, defaultTemplates, logicalIdOf, REAL_STAGE_CONTEXT } from './service-fixture.ts';

const t = defaultTemplates();
const { workflows } = t.stacks;
const phaseNames = Object.keys(phases) as PhaseName[];

/** The deployed definition of a phase, with its intrinsics resolved as the local runtime sees them. */
function deployedDefinition(phase: PhaseName): Record<string, unknown> {
  const machine = t.workflows.findResources('AWS::StepFunctions::StateMachine', {
    Properties: { StateMachineName: `kvalitetsdialog-dev-${phase}` },
  });
  const [resource] = Object.values(machine);
  const workflowTaskId = logicalIdOf(workflows.workflowTask.function);
  const refs: RefResolver = (ref) =>
    'Fn::GetAtt' in ref && ref['Fn::GetAtt'][0] === workflowTaskId && ref['Fn::GetAtt'][1] === 'Arn'
      ? localFunctionArn(LOCAL_FUNCTIONS.workflowTask)
      : defaultRefs(ref);
  return JSON.parse(resolveIntrinsics(resource?.Properties.DefinitionString, refs) as string);
}

describe.each(phaseNames)('%s state machine', (phase) => {
  const stateMachine = workflows.stateMachines[phase];

  it('is Standard, traced, and logs ALL events without execution data to a vended-logs group', () => {
    t.workflows.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: `kvalitetsdialog-dev-${phase}`,
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: {
        Level: 'ALL',
        IncludeExecutionData: false,
        Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [logicalIdOf(stateMachine.logGroup), 'Arn'] } } }],
      },
    });
    t.workflows.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: `/aws/vendedlogs/states/kvalitetsdialog-dev-${phase}` });
  });

  it.each(['ExecutionsFailed', 'ExecutionThrottled', 'ExecutionsAborted'])('raises an alarm on %s', (metric) => {
    t.workflows.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: `kvalitetsdialog-dev-${phase}-${metric}`,
      Namespace: 'AWS/States',
      MetricName: metric,
      Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: logicalIdOf(stateMachine.stateMachine) } }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('may invoke the workflow-task function', () => {
    t.workflows.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp(`^${phase.charAt(0).toUpperCase()}${phase.slice(1)}PhaseRole`) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'lambda:InvokeFunction',
            Resource: Match.arrayWith([{ 'Fn::GetAtt': [logicalIdOf(workflows.workflowTask.function), 'Arn'] }]),
          }),
        ]),
      },
    });
  });

  it('uses Resource "*" only for log delivery and X-Ray (the acknowledged IAM5 finding)', () => {
    // Prepare
    const roleId = logicalIdOf(stateMachine.stateMachine.role);
    const policies = Object.values(t.workflows.findResources('AWS::IAM::Policy')).filter(
      (p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]),
    );
    const wildcardActions = policies
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter((s: { Resource: unknown }) => s.Resource === '*')
      .flatMap((s: { Action: string | string[] }) => [s.Action].flat());

    // Assess
    expect(wildcardActions.length).toBeGreaterThan(0);
    for (const action of wildcardActions)
      expect(action).toMatch(/^(logs:[A-Za-z]*(LogDelivery|LogDeliveries|LogGroups|ResourcePolicies|ResourcePolicy)|xray:[A-Za-z]+)$/);
  });

  it('deploys the very definition the local runtime runs (one definition, two runtimes)', () => {
    // Act
    const deployed = deployedDefinition(phase);

    // Assess
    expect(deployed).toEqual(renderLocalDefinitions()[phase]);
    expect(JSON.stringify(deployed.States)).toContain(`"FunctionName":"${localFunctionArn(LOCAL_FUNCTIONS.workflowTask)}"`);
  });

  it('is valid Amazon States Language (asl-validator)', () => {
    // Act: the validator annotates its input, so give it a copy
    const result = aslValidator(structuredClone(deployedDefinition(phase)));

    // Assess
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });
});

it('hands every function the computed ARN of each phase machine’s live alias (executions start there)', () => {
  for (const phase of phaseNames) {
    const envName = `${phase.toUpperCase()}_STATE_MACHINE_ARN`;
    const arn = workflows.resolve(workflows.stateMachineEnvironment[envName as keyof typeof workflows.stateMachineEnvironment]);
    expect(JSON.stringify(arn)).toMatch(new RegExp(`:stateMachine:kvalitetsdialog-dev-${phase}:live"\\]\\]\\}$`));
  }
});

describe.each(phaseNames)('%s versions and the live alias', (phase) => {
  const machine = workflows.stateMachines[phase];

  it('publishes a version of every definition change and keeps the replaced ones', () => {
    t.workflows.hasResource('AWS::StepFunctions::StateMachineVersion', {
      UpdateReplacePolicy: 'Retain',
      DeletionPolicy: 'RetainExceptOnCreate',
      Properties: {
        StateMachineArn: { Ref: logicalIdOf(machine.stateMachine) },
        // Changes with the definition: that replaces the resource, i.e. publishes a new version.
        StateMachineRevisionId: { 'Fn::GetAtt': [logicalIdOf(machine.stateMachine), 'StateMachineRevisionId'] },
      },
    });
  });

  it('points live at that version, all at once in dev, rolled back when executions fail', () => {
    t.workflows.hasResourceProperties('AWS::StepFunctions::StateMachineAlias', {
      Name: 'live',
      DeploymentPreference: {
        StateMachineVersionArn: { Ref: workflows.getLogicalId(machine.version) },
        Type: 'ALL_AT_ONCE',
        Alarms: [`kvalitetsdialog-dev-${phase}-ExecutionsFailed`],
      },
    });
  });

  it('shifts a real stage as its stages-file entry says (prod: a 10 % canary for 10 minutes)', () => {
    const prod = buildTestService({ context: REAL_STAGE_CONTEXT }).stacks.workflows;
    Template.fromStack(prod).hasResourceProperties('AWS::StepFunctions::StateMachineAlias', {
      Name: 'live',
      DeploymentPreference: { Type: 'CANARY', Percentage: 10, Interval: 10, Alarms: [`kvalitetsdialog-prod-${phase}-ExecutionsFailed`] },
    });
  });
});
