/**
 * AWS SDK clients, built once per process. Locally the endpoints point at the stand-ins
 * (dynalite, aws-ses-v2-local, the local Step Functions API); in the cloud they are unset.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface ClientEndpoints {
  region: string;
  dynamodb?: string;
  ses?: string;
  sfn?: string;
}

const localCredentials = { accessKeyId: 'local', secretAccessKey: 'local' };

export function createClients(e: ClientEndpoints) {
  const common = (endpoint?: string) =>
    endpoint ? { region: e.region, endpoint, credentials: localCredentials, maxAttempts: 3 } : { region: e.region };
  const dynamodb = new DynamoDBClient(common(e.dynamodb));
  return {
    dynamodb,
    doc: DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } }),
    ses: new SESv2Client(common(e.ses)),
    sfn: new SFNClient(common(e.sfn)),
  };
}
export type Clients = ReturnType<typeof createClients>;
