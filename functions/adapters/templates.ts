/**
 * Renders the Swedish emails and pages in templates/ with Eta (`eta/core`: the compiler without
 * its file loader, ~8 KB). Templates are read and compiled once per process from TEMPLATES_DIR
 * (the Lambda bundle ships them) or the repository's templates/ folder.
 *
 * Conventions of the .eta files (see docs/architecture.md, "Templates"): data is `it`; `<%= %>` escapes in HTML
 * templates and prints as is in plain-text ones (subject, text, calendar/*); a missing value prints
 * nothing; whitespace is kept as written, so a control tag alone on a line is written at column 0
 * and closed with `-%>`, which drops its newline.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Eta, type EtaConfig, type TemplateFunction } from 'eta/core';

const defaultDir = fileURLToPath(new URL('../../templates/', import.meta.url));

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

/** The characters escaped in HTML output: Eta's five plus ` and =, as Handlebars did (attribute values stay safe unquoted). */
const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#x27;',
  '`': '&#x60;',
  '=': '&#x3D;',
};

const common: Partial<EtaConfig> = {
  autoTrim: false,
  autoFilter: true,
  filterFunction: (value: unknown) => (value == null ? '' : String(value)),
  escapeFunction: (value: unknown) => String(value).replace(/[&<>"'`=]/g, (c) => HTML_ESCAPES[c] ?? c),
};

type Render = (data: Record<string, unknown>) => string;

export class TemplateRenderer {
  private readonly html = new Eta({ ...common, autoEscape: true });
  private readonly plain = new Eta({ ...common, autoEscape: false });
  private readonly cache = new Map<string, Render>();
  private readonly assets = new Map<string, string>();

  constructor(private readonly dir: string = process.env.TEMPLATES_DIR ?? defaultDir) {}

  private compile(file: string, escapeHtml: boolean): Render {
    const key = `${escapeHtml}:${file}`;
    let render = this.cache.get(key);
    if (!render) {
      const eta = escapeHtml ? this.html : this.plain;
      const source = readFileSync(join(this.dir, file), 'utf8');
      let fn: TemplateFunction;
      try {
        fn = eta.compile(source);
      } catch (err) {
        throw new Error(`Template ${file} does not compile: ${(err as Error).message}`, { cause: err });
      }
      render = (data) => {
        try {
          return eta.render(fn, data);
        } catch (err) {
          throw new Error(`Template ${file} failed: ${(err as Error).message}`, { cause: err });
        }
      };
      this.cache.set(key, render);
    }
    return render;
  }

  email(name: string, data: Record<string, unknown>): RenderedEmail {
    const body = this.compile(`email/${name}/html.eta`, true)(data);
    const subject = this.compile(`email/${name}/subject.eta`, false)(data).trim();
    return {
      subject,
      text: this.compile(`email/${name}/text.eta`, false)(data),
      // The subject is also the HTML part's title (a mail opened in a browser or a screen reader names it).
      html: this.compile('email/layout.eta', true)({ ...data, subject, body }),
    };
  }

  /** A static file under templates/ as it is (the console's one script), read once. */
  asset(file: string): string {
    let source = this.assets.get(file);
    if (source === undefined) {
      source = readFileSync(join(this.dir, file), 'utf8');
      this.assets.set(file, source);
    }
    return source;
  }

  /** A plain-text template (no HTML escaping), e.g. calendar/summary.eta; trimmed. */
  text(file: string, data: Record<string, unknown>): string {
    return this.compile(file, false)(data).trim();
  }

  /** An organiser-facing page (templates/pages/), in the pages' layout (which prints `it.body` raw). */
  page(name: string, data: Record<string, unknown>): string {
    const body = this.compile(`pages/${name}.eta`, true)(data);
    return this.compile('pages/layout.eta', true)({ ...data, body });
  }

  /** A coordinator/inspectorate console page (templates/pages/console/), in the console's own layout. */
  consolePage(name: string, data: Record<string, unknown>): string {
    const body = this.compile(`pages/console/${name}.eta`, true)(data);
    return this.compile('pages/console/layout.eta', true)({ ...data, body });
  }
}
