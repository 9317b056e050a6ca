/**
 * The SES account's real sending quota (GetAccount: MaxSendRate), for the campaign's time estimate.
 * Read at most every five minutes; undefined when SES does not say (not allowed, or a stand-in
 * without an account), and the configured SES_SEND_RATE stands.
 */
import { GetAccountCommand } from '@aws-sdk/client-sesv2';
import type { Deps } from './deps.ts';

const QUOTA_TTL_MS = 5 * 60_000;
const read = new WeakMap<object, { rate: number | undefined; at: number }>();

export async function accountSendRate(d: Pick<Deps, 'aws'>): Promise<number | undefined> {
  const cached = read.get(d.aws);
  if (cached && Date.now() - cached.at < QUOTA_TTL_MS) return cached.rate;
  let rate: number | undefined;
  try {
    rate = (await d.aws.ses.send(new GetAccountCommand({}))).SendQuota?.MaxSendRate;
  } catch {
    rate = undefined;
  }
  const quota = { rate: rate && rate > 0 ? rate : undefined, at: Date.now() };
  read.set(d.aws, quota);
  return quota.rate;
}
