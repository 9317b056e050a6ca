/**
 * A synthetic national population of school organisers (huvudmän) with the shape of seed 004,
 * table 1, for tests, the demo and the benchmark. Deterministic: the same size and seed give the
 * same organisers. Every name is invented and every address is under example.se; no real data.
 *
 * The shape it reproduces (all scaled to the requested size):
 * - legal forms as in Dec 2024: ekonomiska föreningar 977, aktiebolag 946, ideella föreningar 304,
 *   kommuner 290, stiftelser 141, trossamfund 87, övriga 51 (largest-remainder rounding);
 * - ~1,700 of 2,806 organisers run only preschool, and they are small;
 * - 52 % have fewer than 50 children; the municipalities hold 79 % of all children;
 * - municipalities spread over the counties as the real ones are, private organisers by population;
 * - contacts: the board almost always, a school chief for most, only a rektor for some, a few none.
 */
import { type CountyCode, counties } from './regions.ts';
import type { LegalForm, OrganiserInput, SchoolForm } from './organiser.ts';
import {
  ascii,
  firstNames,
  flowers,
  formSuffix,
  genitive,
  lastNames,
  municipalForms,
  orgPrefix,
  prefixes,
  privateMixes,
  suffixes,
} from './population-names.ts';

/** Dec 2024 counts per legal form (seed 004, table 1); sum 2,796. */
export const legalFormCounts: ReadonlyArray<readonly [LegalForm, number]> = [
  ['ekonomisk_forening', 977],
  ['aktiebolag', 946],
  ['ideell_forening', 304],
  ['kommun', 290],
  ['stiftelse', 141],
  ['trossamfund', 87],
  ['ovrig', 51],
];

export const populationShape = {
  /** Share of organisers that run only preschool (~1,700 of 2,806). */
  preschoolOnlyShare: 1700 / 2806,
  /** Share of organisers with fewer than 50 children. */
  underFiftyShare: 0.52,
  /** The municipalities' share of all children. */
  municipalChildrenShare: 0.79,
  /** Share of private organisers without a school-chief contact that have a rektor instead. */
  noChiefShare: 0.12,
  /** Share of organisers without any contact. */
  noContactShare: 0.01,
} as const;

/** Municipalities per county (the 290 real ones), used as weights. */
const municipalitiesPerCounty: Record<CountyCode, number> = {
  '01': 26,
  '03': 8,
  '04': 9,
  '05': 13,
  '06': 13,
  '07': 8,
  '08': 12,
  '09': 1,
  '10': 5,
  '12': 33,
  '13': 6,
  '14': 49,
  '17': 16,
  '18': 12,
  '19': 10,
  '20': 15,
  '21': 10,
  '22': 7,
  '23': 8,
  '24': 15,
  '25': 14,
};

/** Population per county in 100,000s (rounded), weights for private organisers. */
const populationPerCounty: Record<CountyCode, number> = {
  '01': 24.5,
  '03': 4.0,
  '04': 3.0,
  '05': 4.7,
  '06': 3.7,
  '07': 2.0,
  '08': 2.5,
  '09': 0.6,
  '10': 1.6,
  '12': 14.2,
  '13': 3.5,
  '14': 17.5,
  '17': 2.8,
  '18': 3.1,
  '19': 2.8,
  '20': 2.9,
  '21': 2.9,
  '22': 2.4,
  '23': 1.3,
  '24': 2.7,
  '25': 2.5,
};

/** sfc32, a small well-tested 32-bit PRNG; the seed is spread with splitmix32. */
export function createRandom(seed: number): () => number {
  let s = seed >>> 0;
  const split = () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = split();
  let b = split();
  let c = split();
  let d = split();
  return () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

/** Splits `total` over weights so the parts sum to it exactly (largest remainder). */
export function apportion(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (total * w) / sum);
  const parts = exact.map(Math.floor);
  let left = total - parts.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((x, y) => y[0] - x[0] || x[1] - y[1]);
  for (const [, i] of order) {
    if (left-- <= 0) break;
    parts[i]! += 1;
  }
  return parts;
}

export interface PopulationOptions {
  organisers: number;
  seed?: number;
}

/** Generates the population; the result validates against `organiserInputSchema`. */
export function generatePopulation(opts: PopulationOptions): OrganiserInput[] {
  const n = opts.organisers;
  if (!Number.isInteger(n) || n < 1) throw new Error('organisers must be a positive integer');
  const rnd = createRandom(opts.seed ?? 42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const weighted = <T>(xs: ReadonlyArray<readonly [T, number]>): T => {
    let r = rnd() * xs.reduce((a, [, w]) => a + w, 0);
    for (const [x, w] of xs) {
      r -= w;
      if (r < 0) return x;
    }
    return xs[xs.length - 1]![0];
  };
  const shuffle = <T>(xs: T[]): T[] => {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [xs[i], xs[j]] = [xs[j]!, xs[i]!];
    }
    return xs;
  };
  const countyCodes = Object.keys(counties) as CountyCode[];

  // 1. Legal forms, exactly apportioned.
  const formCounts = apportion(
    n,
    legalFormCounts.map(([, c]) => c),
  );
  const forms = shuffle(legalFormCounts.flatMap(([form], i) => Array.from({ length: formCounts[i]! }, () => form)));

  // 2. Municipalities: counties apportioned by the real municipality counts, fictional names.
  const usedNames = new Set<string>();
  const placeName = (): string => {
    for (let tries = 0; ; tries++) {
      const name = pick(prefixes) + pick(suffixes) + (tries > 20 ? String(tries) : '');
      if (!usedNames.has(name)) {
        usedNames.add(name);
        return name;
      }
    }
  };
  const kommunCount = forms.filter((f) => f === 'kommun').length;
  const kommunCounties = shuffle(
    apportion(
      kommunCount,
      countyCodes.map((c) => municipalitiesPerCounty[c]),
    ).flatMap((k, i) => Array.from({ length: k }, () => countyCodes[i]!)),
  );
  const placesByCounty = new Map<CountyCode, string[]>();
  const kommunPlaces = kommunCounties.map((county) => {
    const place = placeName();
    placesByCounty.set(county, [...(placesByCounty.get(county) ?? []), place]);
    return { county, place };
  });

  // 3. Preschool-only and the under-50 quota go to private organisers.
  const privateIdx = forms.flatMap((f, i) => (f === 'kommun' ? [] : [i]));
  const preschoolOnlyCount = Math.min(privateIdx.length, Math.round(n * populationShape.preschoolOnlyShare));
  const underFifty = Math.min(privateIdx.length, Math.round(n * populationShape.underFiftyShare));
  const privOrder = shuffle([...privateIdx]);
  const preschoolOnly = new Set(privOrder.slice(0, preschoolOnlyCount));
  // Small ones: most preschool-only organisers, then some small schools.
  const smallPreschool = Math.min(preschoolOnlyCount, Math.round(underFifty * 0.92));
  const small = new Set([
    ...privOrder.slice(0, smallPreschool),
    ...privOrder.slice(preschoolOnlyCount, preschoolOnlyCount + (underFifty - smallPreschool)),
  ]);

  // 4. Children: private first, then municipalities scaled to hold 79 % of the total.
  const children = new Array<number>(n).fill(0);
  for (const i of privateIdx) {
    if (small.has(i)) children[i] = 6 + Math.floor(rnd() * 44);
    else if (preschoolOnly.has(i)) children[i] = 50 + Math.floor(rnd() * rnd() * 120);
    else children[i] = 60 + Math.floor(Math.exp(rnd() * 8.3));
  }
  const privateTotal = privateIdx.reduce((a, i) => a + children[i]!, 0);
  const kommunIdx = forms.flatMap((f, i) => (f === 'kommun' ? [i] : []));
  if (kommunIdx.length > 0) {
    const share = populationShape.municipalChildrenShare;
    const municipalTotal = Math.round((privateTotal * share) / (1 - share));
    // Skewed sizes: a few cities, many small municipalities; at least 300 children each.
    const weights = kommunIdx.map(() => Math.exp(rnd() * rnd() * 5.5));
    const floor = Math.min(300, Math.floor(municipalTotal / kommunIdx.length));
    const parts = apportion(municipalTotal - floor * kommunIdx.length, weights);
    kommunIdx.forEach((i, k) => {
      children[i] = floor + parts[k]!;
    });
  }

  // 5. The organisers themselves.
  let unitCode = 10_000_000;
  const perForm = new Map<LegalForm, number>();
  return forms.map((legalForm, i) => {
    const seq = (perForm.get(legalForm) ?? 0) + 1;
    perForm.set(legalForm, seq);
    const orgNumber = `${orgPrefix[legalForm]}${String(seq).padStart(7, '0')}`;
    const isKommun = legalForm === 'kommun';
    const county = isKommun
      ? kommunPlaces[kommunIdx.indexOf(i)]!.county
      : weighted(countyCodes.map((c) => [c, populationPerCounty[c]] as const));
    const municipality = isKommun ? kommunPlaces[kommunIdx.indexOf(i)]!.place : pick(placesByCounty.get(county) ?? [placeName()]);
    const schoolForms: SchoolForm[] = isKommun
      ? municipalForms.filter((f) => !(f.includes('gymnasieskola') && rnd() < 0.12))
      : preschoolOnly.has(i)
        ? ['forskola']
        : [...weighted(privateMixes)];
    const base = isKommun
      ? municipality
      : `${pick(flowers)}s ${schoolForms.length === 1 && schoolForms[0] === 'forskola' ? 'förskola' : 'skola'}`;
    const name = isKommun ? `${genitive(municipality)} kommun` : `${base} ${formSuffix[legalForm]}`;
    const domain = `${ascii(isKommun ? municipality : base)}-${orgNumber}.example.se`;
    const units = Math.max(1, Math.min(40, Math.round(children[i]! / (isKommun ? 180 : 120))));
    const schoolUnits = Array.from({ length: Math.min(units, 5) }, (_, u) => ({
      code: String(unitCode++),
      name: `${pick(flowers)}${u === 0 ? '' : ` ${u + 1}`}`,
      schoolForms: [schoolForms[u % schoolForms.length]!],
    }));
    const person = () => `${pick(firstNames)} ${pick(lastNames)}`;
    const r = rnd();
    const contacts: OrganiserInput['contacts'] = [];
    if (r >= populationShape.noContactShare) {
      contacts.push({
        role: 'board',
        name: isKommun ? 'Barn- och utbildningsnämnden' : `Styrelsen för ${name}`,
        email: `${isKommun ? 'bun' : 'styrelsen'}@${domain}`,
      });
      if (isKommun || r >= populationShape.noContactShare + populationShape.noChiefShare) {
        contacts.push({ role: 'school_chief', name: person(), email: `skolchef@${domain}`, title: 'Skolchef' });
      } else {
        contacts.push({
          role: 'principal',
          name: person(),
          email: `rektor@${domain}`,
          title: 'Rektor',
          schoolUnitCode: schoolUnits[0]!.code,
        });
      }
    }
    return {
      id: `org-${orgNumber}`,
      orgNumber,
      name,
      legalForm,
      municipality,
      countyCode: county,
      schoolForms,
      children: children[i]!,
      schoolUnits,
      contacts,
    };
  });
}
