/**
 * The console over plain HTTP for integration tests: sign in (the dev login), read a page, and post
 * a form with the hidden fields the page itself carries (csrf and version fields), as a browser
 * posting the page's form would.
 */
import type { Harness } from './local.ts';

export interface ConsoleResponse {
  status: number;
  location: string | null;
  html: string;
}

export class ConsoleClient {
  cookie = '';
  private who: [string, 'coordinator' | 'inspectorate'] = ['Sara Samordnare', 'coordinator'];
  constructor(private readonly h: Harness) {}

  private url(path: string): string {
    return path.startsWith('http') ? path : `${this.h.runtime.urls.app}${path}`;
  }

  async login(name = 'Sara Samordnare', role: 'coordinator' | 'inspectorate' = 'coordinator'): Promise<this> {
    this.who = [name, role];
    const r = await fetch(this.url('/console/login'), {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ name, role }).toString(),
    });
    const cookie = r.headers.get('set-cookie')?.split(';')[0];
    if (!cookie) throw new Error(`login failed: ${r.status}`);
    this.cookie = cookie;
    return this;
  }

  /** A session lasts 10 hours of the (local, advanced) clock: signs in again when it has run out, as a person would. */
  async get(path: string): Promise<ConsoleResponse> {
    let r = await fetch(this.url(path), { redirect: 'manual', headers: { cookie: this.cookie } });
    if (r.status === 303 && r.headers.get('location')?.startsWith('/console/login')) {
      await this.login(...this.who);
      r = await fetch(this.url(path), { redirect: 'manual', headers: { cookie: this.cookie } });
    }
    return { status: r.status, location: r.headers.get('location'), html: await r.text() };
  }

  async post(path: string, data: Record<string, string> | URLSearchParams): Promise<ConsoleResponse> {
    const r = await fetch(this.url(path), {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: this.cookie },
      body: (data instanceof URLSearchParams ? data : new URLSearchParams(data)).toString(),
    });
    return { status: r.status, location: r.headers.get('location'), html: await r.text() };
  }

  /** The hidden fields of the page's form posting to `action` (the first form when not given). */
  static hiddenFields(html: string, action?: string): Record<string, string> {
    const forms = [...html.matchAll(/<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/g)];
    const form = action ? forms.find((f) => f[1] === action) : forms.find((f) => /method="post"/.test(f[0]));
    if (!form) throw new Error(`no form${action ? ` posting to ${action}` : ''} on the page`);
    return Object.fromEntries(
      [...(form[2] ?? '').matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1], decode(m[2] ?? '')]),
    );
  }

  /** Opens `path` and posts its form (to `action`, default the page itself) with the hidden fields plus `data`. */
  async submit(path: string, data: Record<string, string> = {}, action = path.split('?')[0]): Promise<ConsoleResponse> {
    const page = await this.get(path);
    if (page.status !== 200) throw new Error(`GET ${path}: ${page.status} ${page.html.slice(0, 300)}`);
    return this.post(action as string, { ...ConsoleClient.hiddenFields(page.html, action), ...data });
  }
}

const decode = (s: string): string =>
  s
    .replaceAll('&#x3D;', '=')
    .replaceAll('&quot;', '"')
    .replaceAll('&#x27;', "'")
    .replaceAll('&#x60;', '`')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
