/**
 * No mail template fixes a width a phone cannot show (390 px): widths above that only as a
 * max-width, or inside Outlook's conditional comments. The rendered mails are checked in Chromium
 * at 390 px by tests/e2e/mail-layout.test.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const dir = 'templates/email';
const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.eta'));

describe('mail templates', () => {
  it.each(files)('%s fixes no width above 390 px', (file) => {
    const source = readFileSync(join(dir, file), 'utf8').replace(/<!--\[if mso\]>[\s\S]*?<!\[endif\]-->/g, '');
    const fixed = [...source.matchAll(/(?<![-\w])(?:width\s*=\s*"|width\s*:\s*)(\d+)(?:px)?/gi)]
      .map((m) => Number(m[1]))
      .filter((px) => px > 390);
    expect(fixed).toEqual([]);
  });
});
