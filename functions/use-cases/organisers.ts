/** Coordinator use-cases on organisers: upsert, read, list. */
import { NotFoundError } from '#core/errors.ts';
import { type Organiser, organiserInputSchema, toOrganiser } from '#core/organiser.ts';
import type { Page } from '#core/ports.ts';
import type { Deps } from '#adapters/deps.ts';
import { parseOrThrow } from './validate.ts';

export async function upsertOrganiser(d: Deps, body: unknown): Promise<{ organiser: Organiser; created: boolean }> {
  const input = parseOrThrow(organiserInputSchema, body, 'organiser');
  const organiser = toOrganiser(input, d.clock.now());
  const existing = await d.organisers.get(organiser.id);
  await d.organisers.put(organiser);
  return { organiser, created: !existing };
}

export async function getOrganiser(d: Deps, id: string): Promise<Organiser> {
  const o = await d.organisers.get(id);
  if (!o) throw new NotFoundError(`No organiser with id '${id}'`);
  return o;
}

export function listOrganisers(d: Deps, limit: number, cursor?: string): Promise<Page<Organiser>> {
  return d.organisers.list(limit, cursor);
}
