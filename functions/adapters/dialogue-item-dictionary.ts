/**
 * The preset deflate dictionary of the stored dialogue (format 1 of dialogue-item.ts): the keys,
 * enum values and Swedish history phrases a dialogue's packed JSON repeats, so even the first
 * occurrence of each costs a back-reference instead of its letters. Items are decoded with the
 * dictionary they were written with: this text must never change (a test pins its hash). A new
 * dictionary is a new format number next to this one.
 */
const history = [
  '["recipients_resolved",null," (nämnd/styrelse), (skolchef), (rektor i stället för skolchef)"]',
  '["reminder_sent",null,"Påminnelse 1 till 2 mottagare"],["escalated","no_answer","Inget svar efter 2 påminnelser"]',
  '["workflow_started"],["mail_unconfirmed",null,"Utskicket kunde inte bekräftas till ; påminnelsen går ut som vanligt"]',
  '["mail_bounced",null,": Permanent studs: Tillfällig studs"],["start_postponed",null," Inbjudan skickas "]',
  '["conflict_flagged"],["conflict_cleared"],["conflict_decision"],["late_answer",null,"Arbetsflödet hade redan avslutats; svaret är sparat."]',
  '["failed","failed",": "],["answered","declined","Skäl: time resources other"],["retried","created"],["invitation_resent"],["reminder_requested",null,"Påminnelse 2"]',
  '["meeting_rescheduled"],["meeting_cancelled",null,"Avbokat av huvudmannen."],["meeting_left"],["pair_reassigned"],["stopped","stopped_after_intro"]',
  '["offer_reminder_sent"],["other_times_requested"],["handed_over"],["handback_action"],["material_waiting"],["material_decision"]',
  '["contact_corrected",null,": → "],["timer_failed",null,"Påminnelse: "],["timer_recovered",null," efter 1 misslyckade försök"]',
  '["cancelled","cancelled"],["closed","closed","Kvalitetsdialogen är genomförd"]',
].join(',');

const phases = [
  ['Introduktionsmöte', 'intro_offered', 'intro_booked', 'intro_held', '15 december 2026 kl. 08:30'],
  [
    'Förmöte',
    'premeeting_offered',
    'premeeting_booked',
    'premeeting_held',
    '8 januari 2027 kl. 09:00, 11 februari 2027 kl. 10:00, 12 mars 2027 kl. 13:00',
  ],
  [
    'Dialogmöte',
    'dialogue_offered',
    'dialogue_booked',
    'dialogue_held',
    '25 april 2027 kl. 08:30, 26 maj 2027 kl. 13:30, 27 juni 2027 kl. 08:30',
  ],
  [
    'Återkopplingsmöte',
    'feedback_offered',
    'feedback_booked',
    'feedback_held',
    '8 juli 2027 kl. 08:30, 9 augusti 2027 kl. 10:30, 10 september 2027 kl. 14:00',
  ],
  [
    'Uppföljningsmöte',
    'follow_up_offered',
    'follow_up_booked',
    'follow_up_held',
    '23 oktober 2027 kl. 08:30, 24 november 2027 kl. 08:30, 25 december 2027 kl. 15:00',
  ],
]
  .map(
    ([name, offered, booked, held, times]) =>
      `["phase_changed","${offered}","${name}"],["slots_proposed","${offered}","${name}: ${times}"],` +
      `["phase_changed","${booked}","${name} bokat (mtg-"],["meeting_booked",null,"${name} ${times} (mtg-"],` +
      `["phase_changed","${held}","${name} hållet"]`,
  )
  .join(',');

const lifecycle = [
  '["documents_attached",null,"Förskoleklass: Grundskola: Underlag "],["material_sent","material_sent","2 dokument till "]',
  '["notes_reminder_sent",null,"Påminnelse 1 till @skolverket.se, @spsm.se"]',
  '["notes_registered",null,"Minnesanteckningar registrerade (mtg-"],["notes_registered","notes_registered","Minnesanteckningar (mtg-"]',
  '["phase_changed","follow_up_due","Uppföljning om ungefär sex månader (8 juli 2027)"]',
].join(',');

const rareFields = [
  '"answer":{"outcome":"declined","reason":"resources","comment":"","answeredAt":0,"answeredBy":"school_chief-"}',
  '"timerFailure":{"kind":"reminder","dueAt":0,"failures":1,"firstAt":0,"lastAt":0,"error":"","retryAt":0}',
  '"error":{"code":"","message":""},"materialDecision":{"by":"","at":0,"reason":""},"meetingPlan":{"sessions":2,"sessionMinutes":90}',
  '"conflict":{"step":"invitation","kind":"physical_meeting","plannedStart":0,"plannedEnd":0,"inspectionId":"","inspectionKind":"","inspectionStart":0,"inspectionEnd":0,"schoolUnitCode":"","rule":"","reason":"","since":0}',
  '"bookFirst":{"by":""},"failure":{"at":0,"error":"","cause":""},"introSessionId":"intro-","campaignId":"camp-"',
  '"dueKind":"phase_start offer_reminder offer_escalate follow_up notes_reminder start reminder escalate callback"',
  '"legalForm":"aktiebolag ideell_forening stiftelse trossamfund ovrig region kommun","municipal":true',
  '"schoolForms":["forskola","anpassad_grundskola","sameskola","specialskola","gymnasieskola","anpassad_gymnasieskola","komvux"]',
  '"recipients":[{"contactId":"school_chief-","role":"school_chief","name":"","email":"","basis":"school_chief"}',
].join(',');

/** The fields in the order a dialogue holds them. */
const fields = [
  '"schoolForms":["forskoleklass","grundskola","fritidshem"]',
  '"recipients":[{"contactId":"board-","role":"board","name":"Styrelsen för ","email":"","basis":"board"},{"contactId":"principal-","role":"principal","name":"","email":"","basis":"principal_fallback"}]',
  '"answer":{"outcome":"accepted","answeredAt":0,"answeredBy":"board-"}',
  '"phase":{"kind":"pre_meeting","round":1,"offer":{"no":1,"slots":[{"pair":{"skolverket":"","spsm":""},"sessions":[{"start":0,"end":3600000}]}],"sentAt":0,"status":"booked","offeredDays":["2027-01-01"],"offeredSessions":[]},"token":"","meetingId":"mtg-"}',
  '"pair":{"skolverket":"","spsm":""}',
  '"documents":[{"id":"doc-","schoolForm":"grundskola","title":"Underlag ","url":"https://","addedAt":0}]',
  '"organiserId":"","organiserName":" kommun AB ekonomisk förening","orgNumber":"","cycle":"2026","region":"syd","legalForm":"ekonomisk_forening","municipal":false,"children":100,"reminders":0,"dueKind":"held","waitToken":"","lastMeetingEnd":0}',
].join(',');

const start =
  '{"t":[0,250,120,40,86400000,0,150,-2,3600000,60000],"h":[["created","created"],["recipients_resolved",null,"Styrelsen (nämnd/styrelse)"],["invitation_sent","invited","@"],["answered","accepted",null,"board-"]';

/** Format 1's dictionary: the rarest text first, the most frequent last (shortest distances). */
export const dialogueDictionaryV1 = Buffer.from(`${history},${rareFields},${start},${phases},${lifecycle}],${fields}`, 'utf8');
