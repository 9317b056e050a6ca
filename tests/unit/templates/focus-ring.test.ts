/**
 * The focus ring of the organiser pages and the console: at least 3:1 contrast against every
 * surface it can be drawn on (WCAG 2.2, 1.4.11 and 2.4.13), and at least 2 px thick. Read from the
 * layouts' own CSS, so a changed colour or a new surface is checked too.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const linear = (c: number) => {
  const s = c / 255;
  return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
};
const luminance = (hex: string) => {
  const full = hex.length === 4 ? `#${[...hex.slice(1)].map((c) => c + c).join('')}` : hex;
  const n = Number.parseInt(full.slice(1), 16);
  return 0.2126 * linear(n >> 16) + 0.7152 * linear((n >> 8) & 255) + 0.0722 * linear(n & 255);
};
const contrast = (a: string, b: string) => {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p) as [number, number];
  return (x + 0.05) / (y + 0.05);
};

describe.each(['templates/pages/layout.eta', 'templates/pages/console/layout.eta'])('the focus ring of %s', (file) => {
  const css = /<style>([\s\S]*?)<\/style>/.exec(readFileSync(file, 'utf8'))?.[1] ?? '';
  const ring = /:focus-visible\s*\{\s*outline:\s*(\d+)px solid (#[0-9a-f]{3,6})/i.exec(css);
  // Surfaces: every background a rule sets, except a button's own fill (the ring sits 2 px outside
  // it) and the step indicator's marks (small badges inside a step, nothing focusable on them).
  const surfaces = [...css.matchAll(/([^{}]+)\{[^}]*background:\s*(#[0-9a-f]{3,6})/gi)]
    .filter(([, selector]) => !/button|\.danger|\.mark/.test(selector ?? ''))
    .map(([, , colour]) => (colour as string).toLowerCase());

  it('is drawn with an outline at least 2 px thick, offset from the element', () => {
    expect(ring).not.toBeNull();
    expect(Number(ring?.[1])).toBeGreaterThanOrEqual(2);
    expect(css).toMatch(/:focus-visible\s*\{[^}]*outline-offset:\s*[1-9]/);
  });

  it('has at least 3:1 contrast against every surface', () => {
    expect(surfaces).toContain('#fff');
    for (const surface of new Set(surfaces)) {
      expect({ surface, contrast: contrast(ring?.[2] ?? '#000', surface) }).toEqual({
        surface,
        contrast: expect.toSatisfy((c: number) => c >= 3),
      });
    }
  });
});
