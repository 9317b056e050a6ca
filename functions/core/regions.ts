/**
 * Swedish counties (län) and the ten Skolverket regions that follow county borders (decision of
 * 23 Feb 2022, seed 003). The decision's figure is not in the text, so this grouping is our
 * reading of it, kept in one table so it can be corrected without touching anything else.
 */
export const counties = {
  '01': 'Stockholms län',
  '03': 'Uppsala län',
  '04': 'Södermanlands län',
  '05': 'Östergötlands län',
  '06': 'Jönköpings län',
  '07': 'Kronobergs län',
  '08': 'Kalmar län',
  '09': 'Gotlands län',
  '10': 'Blekinge län',
  '12': 'Skåne län',
  '13': 'Hallands län',
  '14': 'Västra Götalands län',
  '17': 'Värmlands län',
  '18': 'Örebro län',
  '19': 'Västmanlands län',
  '20': 'Dalarnas län',
  '21': 'Gävleborgs län',
  '22': 'Västernorrlands län',
  '23': 'Jämtlands län',
  '24': 'Västerbottens län',
  '25': 'Norrbottens län',
} as const;
export type CountyCode = keyof typeof counties;
export const countyCodes = Object.keys(counties) as [CountyCode, ...CountyCode[]];

export const regions = {
  norrbotten: { name: 'Region Norrbotten', office: 'Luleå', counties: ['25'] },
  vasterbotten: { name: 'Region Västerbotten', office: 'Umeå', counties: ['24'] },
  mitt: { name: 'Region Mitt', office: 'Härnösand', counties: ['22', '23'] },
  'gavleborg-dalarna': { name: 'Region Gävleborg–Dalarna', office: 'Falun', counties: ['20', '21'] },
  stockholm: { name: 'Region Stockholm–Gotland', office: 'Solna', counties: ['01', '09'] },
  'mellersta-sverige': { name: 'Region Mellersta Sverige', office: 'Örebro', counties: ['03', '04', '18', '19'] },
  vast: { name: 'Region Väst', office: 'Göteborg', counties: ['14', '13'] },
  varmland: { name: 'Region Värmland', office: 'Karlstad', counties: ['17'] },
  'ostra-gotaland': { name: 'Region Östra Götaland', office: 'Linköping', counties: ['05', '06', '08'] },
  syd: { name: 'Region Syd', office: 'Malmö', counties: ['12', '10', '07'] },
} as const satisfies Record<string, { name: string; office: string; counties: CountyCode[] }>;
export type RegionId = keyof typeof regions;

const regionByCounty = new Map<CountyCode, RegionId>(
  (Object.entries(regions) as [RegionId, (typeof regions)[RegionId]][]).flatMap(([id, r]) => r.counties.map((c) => [c, id] as const)),
);

export function regionOfCounty(code: CountyCode): RegionId {
  const region = regionByCounty.get(code);
  if (!region) throw new Error(`county ${code} has no region`);
  return region;
}
