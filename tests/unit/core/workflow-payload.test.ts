import { describe, expect, it } from 'vitest';
import {
  ACCEPTED_PAYLOAD_VERSIONS,
  payloadVersionOf,
  UnsupportedPayloadVersion,
  WORKFLOW_PAYLOAD_VERSION,
} from '#core/workflow-payload.ts';

describe('workflow task payload version', () => {
  it('reads the current version, and the previous one (a payload without the field is version 1)', () => {
    expect(payloadVersionOf({ task: 'escalate', dialogueId: 'd', payloadVersion: WORKFLOW_PAYLOAD_VERSION })).toBe(
      WORKFLOW_PAYLOAD_VERSION,
    );
    expect(payloadVersionOf({ task: 'escalate', dialogueId: 'd', payloadVersion: WORKFLOW_PAYLOAD_VERSION - 1 })).toBe(
      WORKFLOW_PAYLOAD_VERSION - 1,
    );
    expect(payloadVersionOf({ task: 'escalate', dialogueId: 'd' })).toBe(1);
    expect(ACCEPTED_PAYLOAD_VERSIONS).toEqual([WORKFLOW_PAYLOAD_VERSION - 1, WORKFLOW_PAYLOAD_VERSION]);
  });

  it('refuses a version it does not handle, by name (the state machine fails the step and the alarm fires)', () => {
    for (const payloadVersion of [WORKFLOW_PAYLOAD_VERSION + 1, WORKFLOW_PAYLOAD_VERSION - 2, '2', null]) {
      const act = () => payloadVersionOf({ task: 'escalate', dialogueId: 'd', payloadVersion });
      expect(act).toThrow(UnsupportedPayloadVersion);
      expect(act).toThrow(/is not handled \(accepted: 1, 2\)/);
    }
  });
});
