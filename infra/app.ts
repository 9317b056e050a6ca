/**
 * CDK entry (`cdk.json` runs `npx tsx infra/app.ts`): the service's stacks with cdk-nag's
 * AwsSolutions checks. Settings come from context, see infra/config.ts.
 */
import { App } from 'aws-cdk-lib';
import { buildService } from './service.ts';

buildService(new App());
