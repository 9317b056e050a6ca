import type { Server } from 'node:http';

export function isLoopbackHost(host: string | undefined): boolean;
export function guardLoopback<S extends Server>(server: S): S;
