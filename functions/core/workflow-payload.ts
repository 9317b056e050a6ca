/**
 * The version of the payload the state machines hand the workflow-task function. A deploy replaces
 * the function's code at once, while executions started on the previous definition keep sending
 * that definition's payloads (Step Functions keeps an execution on the definition it started
 * with), so the function accepts this version and the one before. Version 1 is the payload without
 * the field. Raise the version when a task's payload changes shape, and keep reading the old shape
 * until no execution of the previous definition is left (at most the longest wait, ~3 weeks).
 */
export const WORKFLOW_PAYLOAD_VERSION = 2;

/** The payload versions the function handles. */
export const ACCEPTED_PAYLOAD_VERSIONS: readonly number[] = [WORKFLOW_PAYLOAD_VERSION - 1, WORKFLOW_PAYLOAD_VERSION];

/** A payload from a definition this code does not know (newer, or retired): nothing is done with it. */
export class UnsupportedPayloadVersion extends Error {
  override readonly name = 'UnsupportedPayloadVersion';
}

/** The version a payload declares (1 when it declares none); throws UnsupportedPayloadVersion for one not handled. */
export function payloadVersionOf(payload: unknown): number {
  const declared = payload && typeof payload === 'object' ? (payload as { payloadVersion?: unknown }).payloadVersion : undefined;
  const version = declared === undefined ? 1 : declared;
  if (typeof version !== 'number' || !ACCEPTED_PAYLOAD_VERSIONS.includes(version)) {
    throw new UnsupportedPayloadVersion(
      `workflow task payload version ${JSON.stringify(version)} is not handled (accepted: ${ACCEPTED_PAYLOAD_VERSIONS.join(', ')})`,
    );
  }
  return version;
}

/** The booking wait's outcome when the offer found no time to offer: the meeting phase hands over to the coordinator. */
export const NOTHING_OFFERED = 'nothing_offered';
