/**
 * The invented words a synthetic population is built from (functions/core/population.ts): place
 * name parts, flowers, first and last names, organisation-name prefixes and suffixes per legal
 * form, the school-form mixes of private and municipal organisers. No real organiser's name.
 */
import type { LegalForm, SchoolForm } from './organiser.ts';

export const prefixes = [
  'Norr',
  'Söder',
  'Öster',
  'Väster',
  'Björk',
  'Ek',
  'Gran',
  'Lind',
  'Sjö',
  'Berg',
  'Åker',
  'Älv',
  'Hög',
  'Mål',
  'Lövs',
  'Rönn',
];
export const suffixes = ['vik', 'by', 'ås', 'torp', 'köping', 'hamn', 'fors', 'holm', 'dal', 'stad', 'berga', 'näs', 'sund', 'ö', 'mark'];
export const flowers = [
  'Solrosen',
  'Blåklinten',
  'Vitsippan',
  'Kastanjen',
  'Ängen',
  'Myran',
  'Humlan',
  'Lärkan',
  'Ugglan',
  'Tallen',
  'Källan',
  'Äppellunden',
];
export const firstNames = [
  'Åsa',
  'Märta',
  'Jörgen',
  'Björn',
  'Göran',
  'Sofia',
  'Anders',
  'Karin',
  'Östen',
  'Linnéa',
  'Maja',
  'Per',
  'Ali',
  'Ingrid',
  'Håkan',
];
export const lastNames = [
  'Öberg',
  'Lindgren',
  'Ekström',
  'Åström',
  'Strömberg',
  'Nyström',
  'Berg',
  'Sjögren',
  'Holm',
  'Karlsson',
  'Jönsson',
  'Björk',
];

export const orgPrefix: Record<LegalForm, string> = {
  kommun: '212',
  region: '232',
  aktiebolag: '559',
  ekonomisk_forening: '769',
  ideell_forening: '802',
  stiftelse: '817',
  trossamfund: '252',
  ovrig: '916',
};

export const formSuffix: Record<LegalForm, string> = {
  kommun: 'kommun',
  region: 'region',
  aktiebolag: 'AB',
  ekonomisk_forening: 'ekonomisk förening',
  ideell_forening: 'ideell förening',
  stiftelse: 'stiftelse',
  trossamfund: 'församling',
  ovrig: 'handelsbolag',
};

/** School-form mixes of private organisers that do more than preschool, with weights. */
export const privateMixes: ReadonlyArray<readonly [SchoolForm[], number]> = [
  [['forskola', 'forskoleklass', 'grundskola', 'fritidshem'], 30],
  [['forskoleklass', 'grundskola', 'fritidshem'], 25],
  [['gymnasieskola'], 18],
  [['gymnasieskola', 'anpassad_gymnasieskola'], 4],
  [['forskoleklass', 'grundskola', 'anpassad_grundskola', 'fritidshem'], 5],
  [['komvux'], 6],
  [['grundskola', 'gymnasieskola'], 4],
  [['fritidshem', 'forskoleklass', 'grundskola', 'forskola', 'gymnasieskola', 'komvux'], 2],
];

export const municipalForms: SchoolForm[] = [
  'forskola',
  'forskoleklass',
  'grundskola',
  'anpassad_grundskola',
  'gymnasieskola',
  'anpassad_gymnasieskola',
  'komvux',
  'fritidshem',
];

export const genitive = (s: string): string => (/[sxz]$/.test(s) ? s : `${s}s`);

export const ascii = (s: string): string =>
  s
    .toLowerCase()
    .replace(/[åä]/g, 'a')
    .replace(/ö/g, 'o')
    .replace(/é/g, 'e')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
