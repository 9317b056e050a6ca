/**
 * The workflow service's words in Swedish, for the console: execution statuses, history event
 * types (as Step Functions and the local runner name them) and the states of our own state
 * machines (workflows/*.ts). Anything not listed reads as a plain Swedish fallback, never as the
 * English name.
 */

export const executionStatusLabels: Record<string, string> = {
  RUNNING: 'Pågår',
  SUCCEEDED: 'Klart',
  FAILED: 'Misslyckades',
  TIMED_OUT: 'Tidsgränsen passerades',
  ABORTED: 'Avbrutet',
  PENDING_REDRIVE: 'Väntar på att startas om',
};

const eventLabels: Record<string, string> = {
  ExecutionStarted: 'Arbetsflödet startade',
  ExecutionSucceeded: 'Arbetsflödet blev klart',
  ExecutionFailed: 'Arbetsflödet misslyckades',
  ExecutionAborted: 'Arbetsflödet avbröts',
  ExecutionTimedOut: 'Arbetsflödets tidsgräns passerades',
  ExecutionRedriven: 'Arbetsflödet startades om',
  ExecutionResumed: 'Arbetsflödet fortsatte efter en omstart',
  StateEntered: 'Steget började',
  StateExited: 'Steget avslutades',
  StateFailed: 'Steget misslyckades',
  StateRetried: 'Steget görs om',
  TaskWaiting: 'Väntar på svar',
  TaskScheduled: 'Uppgiften lades i kö',
  TaskStarted: 'Uppgiften startade',
  TaskSubmitted: 'Väntar på svar',
  TaskSucceeded: 'Uppgiften lyckades',
  TaskFailed: 'Uppgiften misslyckades',
  TaskTimedOut: 'Uppgiftens tidsgräns passerades',
  TaskStartFailed: 'Uppgiften kunde inte starta',
  TaskSubmitFailed: 'Uppgiften kunde inte skickas',
  LambdaFunctionScheduled: 'Uppgiften lades i kö',
  LambdaFunctionStarted: 'Uppgiften startade',
  LambdaFunctionSucceeded: 'Uppgiften lyckades',
  LambdaFunctionFailed: 'Uppgiften misslyckades',
  LambdaFunctionTimedOut: 'Uppgiftens tidsgräns passerades',
  LambdaFunctionStartFailed: 'Uppgiften kunde inte starta',
  LambdaFunctionScheduleFailed: 'Uppgiften kunde inte läggas i kö',
  WaitStateEntered: 'Väntan började',
  WaitStateExited: 'Väntan är slut',
  WaitStateAborted: 'Väntan avbröts',
  ChoiceStateEntered: 'Ett vägval görs',
  ChoiceStateExited: 'Vägen är vald',
  FailStateEntered: 'Steget för fel nåddes',
  SucceedStateEntered: 'Slutsteget nåddes',
  SucceedStateExited: 'Slutsteget avslutades',
};

/** A history event type in Swedish: the listed words, then by kind of state ("…StateEntered"), else a plain fallback. */
export function eventLabel(type: string): string {
  const known = eventLabels[type];
  if (known) return known;
  if (type.endsWith('StateEntered')) return 'Steget började';
  if (type.endsWith('StateExited')) return 'Steget avslutades';
  if (type.endsWith('Failed')) return 'Något misslyckades';
  if (type.endsWith('TimedOut')) return 'Tidsgränsen passerades';
  return 'Händelse i arbetsflödet';
}

/**
 * The states of workflows/invitation.ts and workflows/meeting.ts as a coordinator would name them,
 * with those of earlier definitions that running executions may still show.
 */
const stateNameLabels: Record<string, string> = {
  'Resolve recipients': 'Välj mottagare',
  'Send invitations and await answer': 'Skicka inbjudningar och vänta på svar',
  'Send invitations': 'Skicka inbjudningar',
  'Await answer': 'Vänta på svar',
  'Route answer': 'Läs svaret',
  Accepted: 'Tackade ja',
  Declined: 'Tackade nej',
  'No answer': 'Inget svar',
  'Closed by coordinator': 'Avslutad av samordnare',
  'Escalate after time-out': 'Larma samordnaren efter tidsgränsen',
  'Mark failed': 'Markera som misslyckad',
  'Invitation failed': 'Inbjudan misslyckades',
  'Unknown answer': 'Okänt svar',
  'Offer times and await booking': 'Föreslå tider och vänta på bokning',
  'Offer times': 'Föreslå tider',
  'Anything to offer?': 'Finns det tider att föreslå?',
  'Await booking': 'Vänta på bokning',
  'Route booking': 'Läs bokningen',
  Booked: 'Bokat',
  'Coordinator takes over': 'Samordnaren tar över',
  'Hand over to coordinator': 'Lämna över till samordnaren',
  'Dialogue ended': 'Dialogen är avslutad',
  'Record failure': 'Registrera felet',
  'Phase failed': 'Fasen misslyckades',
  'Unknown booking outcome': 'Okänt bokningsutfall',
};

/** A state's name in Swedish; a name we do not know is shown as it is (it may be a new state). */
export const stateNameLabel = (name: string | undefined): string => (name ? (stateNameLabels[name] ?? name) : '');
