/**
 * Renders the Swedish emails and pages in templates/ with Handlebars. Templates are read once per
 * process from TEMPLATES_DIR (the Lambda bundle ships them) or the repository's templates/ folder.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';

const defaultDir = fileURLToPath(new URL('../../templates/', import.meta.url));

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export class TemplateRenderer {
  private readonly html = Handlebars.create();
  private readonly plain = Handlebars.create();
  private readonly cache = new Map<string, Handlebars.TemplateDelegate>();

  constructor(private readonly dir: string = process.env.TEMPLATES_DIR ?? defaultDir) {}

  private compile(file: string, escapeHtml: boolean): Handlebars.TemplateDelegate {
    const key = `${escapeHtml}:${file}`;
    let t = this.cache.get(key);
    if (!t) {
      const source = readFileSync(join(this.dir, file), 'utf8');
      t = escapeHtml ? this.html.compile(source) : this.plain.compile(source, { noEscape: true });
      this.cache.set(key, t);
    }
    return t;
  }

  email(name: string, data: Record<string, unknown>): RenderedEmail {
    const body = this.compile(`email/${name}/html.hbs`, true)(data);
    return {
      subject: this.compile(`email/${name}/subject.hbs`, false)(data).trim(),
      text: this.compile(`email/${name}/text.hbs`, false)(data),
      html: this.compile('email/layout.hbs', true)({ ...data, body: new Handlebars.SafeString(body) }),
    };
  }

  /** A static file under templates/ as it is (the console's one script), read once. */
  asset(file: string): string {
    const key = `asset:${file}`;
    let t = this.cache.get(key);
    if (!t) {
      const source = readFileSync(join(this.dir, file), 'utf8');
      t = () => source;
      this.cache.set(key, t);
    }
    return t({});
  }

  /** A plain-text template (no HTML escaping), e.g. calendar/summary.hbs; trimmed. */
  text(file: string, data: Record<string, unknown>): string {
    return this.compile(file, false)(data).trim();
  }

  page(name: string, data: Record<string, unknown>): string {
    const body = this.compile(`pages/${name}.hbs`, true)(data);
    return this.compile('pages/layout.hbs', true)({ ...data, body: new Handlebars.SafeString(body) });
  }

  /** A coordinator/inspectorate console page (templates/pages/console/), in the console's own layout. */
  consolePage(name: string, data: Record<string, unknown>): string {
    const body = this.compile(`pages/console/${name}.hbs`, true)(data);
    return this.compile('pages/console/layout.hbs', true)({ ...data, body: new Handlebars.SafeString(body) });
  }
}
