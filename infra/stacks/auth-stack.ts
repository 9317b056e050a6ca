/**
 * Who may use the console and the API in the cloud: one Cognito user pool with the groups
 * `coordinator` and `inspectorate` (a person's role is the group they are in). Administrators
 * create the accounts; nobody signs themselves up.
 *
 * The pool holds the accounts, so it is deletion-protected and kept when the stack goes. That
 * also means a rollback cannot delete it: nothing that could fail its create shares this stack.
 * The hosted-UI domain (a globally unique prefix) and the app clients live in the sign-in stack,
 * whose failed create rolls back cleanly and can simply be retried.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type { Construct } from 'constructs';
import { consoleRoles } from '#core/session.ts';

export interface AuthStackProps extends StackProps {
  /** The pool's name (names of user pools need not be unique; this one is the resource prefix). */
  readonly userPoolName: string;
}

/** Group names are the role names the handlers read from `cognito:groups`. */
export const AUTH_GROUPS = consoleRoles;

export class AuthStack extends Stack {
  public readonly userPool: cognito.UserPool;

  constructor(scope: Construct, id: string, props: AuthStackProps) {
    super(scope, id, props);

    this.userPool = new cognito.UserPool(this, 'UserPool', {
      userPoolName: props.userPoolName,
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      standardAttributes: { email: { required: true, mutable: true }, fullname: { required: false, mutable: true } },
      // Staff accounts reaching personal data: a second factor always, by authenticator app (no SMS costs or SIM swaps).
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      // Plus tier: threat protection (compromised credentials, adaptive authentication) enforced.
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Memberships are the roles: the groups stay with the pool when the stack goes (but a failed
    // first create removes them, so a retry creates them again).
    for (const role of AUTH_GROUPS) {
      const group = new cognito.UserPoolGroup(this, `Group-${role}`, {
        userPool: this.userPool,
        groupName: role,
        description: role === 'coordinator' ? 'Samordnare på Skolverket och SPSM' : 'Skolinspektionen',
      });
      group.applyRemovalPolicy(RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE);
    }

    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId, description: 'Create accounts here and add each to one group' });
  }
}
