/**
 * The local clock: real time plus an offset that `POST /api/dev/clock` advances, persisted so
 * a restart keeps the time the demo had reached.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Clock } from '#core/time.ts';

export class OffsetClock implements Clock {
  private offsetMs = 0;

  constructor(private readonly file?: string) {
    if (file && existsSync(file)) this.offsetMs = Number(JSON.parse(readFileSync(file, 'utf8')).offsetMs) || 0;
  }

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  advance(ms: number): Date {
    this.offsetMs += ms;
    if (this.file) writeFileSync(this.file, JSON.stringify({ offsetMs: this.offsetMs }));
    return this.now();
  }
}
