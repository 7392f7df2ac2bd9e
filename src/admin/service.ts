/**
 * What the console, the admin API and the CLI do, in one place: each operation checks the actor's rights
 * (`can`, src/admin/policy.ts), does the change, and writes the audit log with the values before and after. Routes
 * only parse and render. One module per aggregate under src/admin/service/; this one names them all, so that
 * importers need not know which.
 */
export { AdminError, parseOrInvalid } from './errors';
export type { AdminDeps, StoreDeps } from './service/deps';
export * from './service/hotspots';
export * from './service/sessions';
export * from './service/vouchers';
export * from './service/agencies';
export * from './service/keys';
export * from './service/operators';
export * from './service/right-sizing';
export * from './service/snmp';
