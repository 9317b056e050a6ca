/**
 * Where in the console a coordinator takes the next step. Every mail to a coordinator links to one
 * of these pages (never to the JSON API, which a browser cannot open), and each page has the form.
 */
export interface ConsoleLinks {
  /** The dialogue's page: state, contacts, mail, meetings, notes, history. */
  dialogue(dialogueId: string): string;
  /** Decide on a clash with the inspection calendar: keep, or reschedule. */
  conflict(dialogueId: string): string;
  /** Book the phase's meeting for the organiser, or offer it new times. */
  book(dialogueId: string): string;
  /** Correct a contact whose mail did not arrive. */
  contact(dialogueId: string, contactId: string): string;
  /** The analysis material: attach documents per school form, or send it as it is. */
  material(dialogueId: string): string;
  /** Register the notes of a held dialogue meeting. */
  notes(dialogueId: string, meetingId: string): string;
  /** Move a booked meeting. */
  moveMeeting(dialogueId: string, meetingId: string): string;
  /** Start a failed step again. */
  retry(dialogueId: string): string;
  /** Every dialogue (the list, with its filters). */
  list(filters?: Record<string, string>): string;
}

const enc = encodeURIComponent;
const consoleBase = (publicBaseUrl: string): string => `${publicBaseUrl.replace(/\/+$/, '')}/console`;

/** The dialogue's page (each link also as a function of its own, for bundles that need only one). */
export const dialoguePageUrl = (publicBaseUrl: string, id: string): string => `${consoleBase(publicBaseUrl)}/dialogues/${enc(id)}`;
/** Where a clash is decided. */
export const conflictPageUrl = (publicBaseUrl: string, id: string): string => `${dialoguePageUrl(publicBaseUrl, id)}/conflict`;

export function consoleLinks(publicBaseUrl: string): ConsoleLinks {
  const dialogue = (id: string) => dialoguePageUrl(publicBaseUrl, id);
  return {
    dialogue,
    conflict: (id) => conflictPageUrl(publicBaseUrl, id),
    book: (id) => `${dialogue(id)}/book`,
    contact: (id, contactId) => `${dialogue(id)}/contact?contact=${enc(contactId)}`,
    material: (id) => `${dialogue(id)}/material`,
    notes: (id, meetingId) => `${dialogue(id)}/meetings/${enc(meetingId)}/notes`,
    moveMeeting: (id, meetingId) => `${dialogue(id)}/meetings/${enc(meetingId)}/reschedule`,
    retry: (id) => `${dialogue(id)}/retry`,
    list: (filters = {}) => {
      const q = new URLSearchParams(filters).toString();
      return q ? `${consoleBase(publicBaseUrl)}?${q}` : consoleBase(publicBaseUrl);
    },
  };
}
