/**
 * How long sending a campaign takes, told to the coordinator before launch or resume: the mails
 * left ÷ the rate the campaign will get (its own rate, the account's real rate — SES's
 * MaxSendRate where known, else SES_SEND_RATE — and its share with the campaigns already running),
 * slowed by the pace the last finished campaign actually kept: its mails ÷ the seconds it was
 * sending, against the rate it was allowed. Pure.
 */
import { sharedRates } from './send-rate.ts';

export interface PacedCampaign {
  name: string;
  state: string;
  sendRate: number;
  /** Mails of all its invitations (set when it was created). */
  mails?: number;
  /** Milliseconds it spent sending (pauses left out), once finished. */
  sendingMs?: number;
  completedAt?: string;
}

export interface MeasuredPace {
  /** Achieved mails per second ÷ the rate it was allowed (at most 1). */
  factor: number;
  /** The campaign it was measured on. */
  from: string;
  achievedRate: number;
}

/** Shorter runs say little about the pace (a few seconds of start-up dominate). */
const MIN_SAMPLE_MS = 20_000;

/** The pace of the most recently finished campaign that sent long enough to tell. */
export function measuredPace(campaigns: readonly PacedCampaign[], accountRate: number): MeasuredPace | undefined {
  const sample = campaigns
    .filter((c) => c.state === 'completed' && c.completedAt && (c.mails ?? 0) > 0 && (c.sendingMs ?? 0) >= MIN_SAMPLE_MS)
    .sort((a, b) => (b.completedAt ?? '').localeCompare(a.completedAt ?? ''))[0];
  if (!sample) return undefined;
  const achievedRate = (sample.mails as number) / ((sample.sendingMs as number) / 1000);
  const allowed = Math.min(sample.sendRate, accountRate);
  return { factor: Math.min(1, Math.max(0.05, achievedRate / allowed)), from: sample.name, achievedRate };
}

export interface SendingEstimate {
  seconds: number;
  /** The rate the campaign will get before the measured pace (mails/s). */
  rate: number;
  pace?: MeasuredPace;
}

export function sendingEstimate(input: {
  mails: number;
  campaignRate: number;
  accountRate: number;
  /** The own rates of the campaigns already running, which share the account's rate with this one. */
  runningRates: readonly number[];
  pace?: MeasuredPace;
}): SendingEstimate {
  const [share] = sharedRates(input.accountRate, [input.campaignRate, ...input.runningRates]);
  const rate = Math.min(input.campaignRate, input.accountRate, share ?? input.accountRate);
  const effective = rate * (input.pace?.factor ?? 1);
  return { seconds: Math.ceil(input.mails / Math.max(effective, 0.01)), rate, ...(input.pace ? { pace: input.pace } : {}) };
}

/** "ungefär 40 sekunder", "ungefär 7 minuter", "ungefär 1 timme och 5 minuter". */
export function durationText(seconds: number): string {
  if (seconds < 120) return `ungefär ${Math.max(1, Math.round(seconds))} sekunder`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `ungefär ${minutes} minuter`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes - hours * 60;
  return `ungefär ${hours} ${hours === 1 ? 'timme' : 'timmar'}${rest ? ` och ${rest} minuter` : ''}`;
}
