/**
 * The demo data set `npm start` seeds into an empty store: a municipality, an aktiebolag that runs
 * only preschool, and an ekonomisk förening without a school-chief contact (its rektor is invited).
 * Fictional organisations and example.se addresses only.
 */
import type { OrganiserInput } from '#core/organiser.ts';

export const demoOrganisers: OrganiserInput[] = [
  {
    id: 'norrviks-kommun',
    orgNumber: '212000-2262',
    name: 'Norrviks kommun',
    legalForm: 'kommun',
    municipality: 'Norrvik',
    countyCode: '22',
    schoolForms: ['forskola', 'forskoleklass', 'grundskola', 'anpassad_grundskola', 'gymnasieskola', 'komvux', 'fritidshem'],
    children: 5400,
    schoolUnits: [
      { code: '12345678', name: 'Björkskolan', schoolForms: ['grundskola', 'fritidshem'] },
      { code: '23456789', name: 'Norrviks gymnasium', schoolForms: ['gymnasieskola'] },
    ],
    contacts: [
      { role: 'board', name: 'Barn- och utbildningsnämnden', email: 'bun@norrvik.example.se' },
      { role: 'school_chief', name: 'Åsa Öberg', email: 'asa.oberg@norrvik.example.se', title: 'Skolchef' },
      { role: 'principal', name: 'Per Ström', email: 'per.strom@norrvik.example.se', schoolUnitCode: '12345678' },
    ],
  },
  {
    id: 'solrosens-forskola-ab',
    orgNumber: '556677-8899',
    name: 'Solrosens Förskola AB',
    legalForm: 'aktiebolag',
    municipality: 'Uppsala',
    countyCode: '03',
    schoolForms: ['forskola'],
    children: 46,
    schoolUnits: [{ code: '34567890', name: 'Förskolan Solrosen', schoolForms: ['forskola'] }],
    contacts: [
      { role: 'board', name: 'Styrelsen för Solrosens Förskola AB', email: 'styrelsen@solrosen.example.se' },
      { role: 'school_chief', name: 'Märta Lindgren', email: 'marta@solrosen.example.se', title: 'Skolchef' },
    ],
  },
  {
    id: 'ekbackens-ekonomiska-forening',
    orgNumber: '769600-1234',
    name: 'Ekbackens skola ekonomisk förening',
    legalForm: 'ekonomisk_forening',
    municipality: 'Växjö',
    countyCode: '07',
    schoolForms: ['forskoleklass', 'grundskola', 'fritidshem'],
    children: 180,
    schoolUnits: [{ code: '45678901', name: 'Ekbackens skola', schoolForms: ['forskoleklass', 'grundskola', 'fritidshem'] }],
    contacts: [
      { role: 'board', name: 'Styrelsen för Ekbackens skola', email: 'styrelsen@ekbacken.example.se' },
      { role: 'principal', name: 'Jörgen Ekström', email: 'rektor@ekbacken.example.se', title: 'Rektor', schoolUnitCode: '45678901' },
    ],
  },
];

/** Demo facilitators for `npm start`: both agencies, a few offices (fictional people, example.se). */
export const demoFacilitators = [
  { id: 'sv-karin-solna', name: 'Karin Wallin', agency: 'skolverket', office: 'Solna', email: 'karin.wallin@skolverket.example.se' },
  { id: 'sv-mats-harnosand', name: 'Mats Öhman', agency: 'skolverket', office: 'Härnösand', email: 'mats.ohman@skolverket.example.se' },
  { id: 'sv-lena-malmo', name: 'Lena Nyström', agency: 'skolverket', office: 'Malmö', email: 'lena.nystrom@skolverket.example.se' },
  { id: 'sv-omar-goteborg', name: 'Omar Haddad', agency: 'skolverket', office: 'Göteborg', email: 'omar.haddad@skolverket.example.se' },
  { id: 'sp-sara-solna', name: 'Sara Lindqvist', agency: 'spsm', office: 'Solna', email: 'sara.lindqvist@spsm.example.se' },
  { id: 'sp-jonas-harnosand', name: 'Jonas Åberg', agency: 'spsm', office: 'Härnösand', email: 'jonas.aberg@spsm.example.se' },
  { id: 'sp-eva-vaxjo', name: 'Eva Sandberg', agency: 'spsm', office: 'Växjö', email: 'eva.sandberg@spsm.example.se' },
  { id: 'sp-ali-uppsala', name: 'Ali Rahimi', agency: 'spsm', office: 'Uppsala', email: 'ali.rahimi@spsm.example.se' },
];

/** One group intro session per demo organiser's region and kind, at the first free time of a pair. */
export const demoIntroAudiences: Record<string, 'municipal' | 'private' | 'preschool_only'> = {
  'norrviks-kommun': 'municipal',
  'solrosens-forskola-ab': 'preschool_only',
  'ekbackens-ekonomiska-forening': 'private',
};
