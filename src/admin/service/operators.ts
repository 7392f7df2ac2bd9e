import { z } from 'zod';
import { audit } from '../audit';
import { AdminError, parseOrInvalid } from '../errors';
import { createOperator, getOperator, listOperators, ROLES, scopeSchema, setOperatorRole, updateOperator, usernameSchema, type Actor, type Operator } from '../operators';
import { passwordProblem, verifyPassword } from '../passwords';
import { can } from '../policy';
import type { StoreDeps } from './deps';
import { checkKecamatan } from './hotspots';

/**
 * Operator accounts: an admin creates and changes them (never the last enabled admin away); everyone changes their
 * own password. A new password or a disabled account ends every console session of the account.
 */

export const operatorCreateSchema = z.strictObject({
  username: usernameSchema,
  name: z.string().trim().max(100).optional(),
  role: z.enum(ROLES),
  scope: scopeSchema.default({ kecamatan: [], hotspots: [] }),
  password: z.string(),
});
export const operatorChangeSchema = z.strictObject({
  role: z.enum(ROLES).optional(),
  scope: scopeSchema.optional(),
  disabled: z.boolean().optional(),
  password: z.string().optional(),
  name: z.string().trim().max(100).optional(),
});

function checkPassword(password: string | undefined): void {
  const problem = password === undefined ? null : passwordProblem(password);
  if (problem) throw new AdminError('INVALID', `password: ${problem}`).says((password ?? '').length < 12 ? 'passwordShort' : 'passwordLong');
}

/** A new operator account (admins only); answers its username. */
export async function createOperatorAccount(d: StoreDeps, actor: Actor, raw: unknown): Promise<string> {
  if (!can(actor, 'administer')) throw new AdminError('FORBIDDEN', 'only an admin may create operators').says('adminOnly');
  const o = parseOrInvalid(operatorCreateSchema, raw);
  checkPassword(o.password);
  await checkKecamatan(d, o.scope.kecamatan);
  if (!(await createOperator(d.redis, d.keys, { username: o.username, name: o.name || o.username, role: o.role, scope: o.scope, password: o.password }))) {
    throw new AdminError('CONFLICT', `${o.username} exists already`).says('operatorExists', { username: o.username });
  }
  await audit(d.redis, d.keys, actor, 'operator.create', `operator:${o.username}`, null, { role: o.role, scope: o.scope });
  return o.username;
}

/** Changes an operator's role, scope, name, password or whether it is disabled (admins only); never the last enabled admin away. */
export async function changeOperator(d: StoreDeps, actor: Actor, username: string, raw: unknown): Promise<void> {
  if (!can(actor, 'administer')) throw new AdminError('FORBIDDEN', 'only an admin may change operators').says('adminOnly');
  const c = parseOrInvalid(operatorChangeSchema, raw);
  const before = await getOperator(d.redis, d.keys, username);
  if (!before) throw new AdminError('NOT_FOUND', `no operator ${username}`).says('noOperator', { username });
  checkPassword(c.password);
  if (c.scope) await checkKecamatan(d, c.scope.kecamatan);
  const role = c.role ?? before.role;
  const disabled = c.disabled ?? before.disabled;
  if ((role !== before.role || disabled !== before.disabled) && (await setOperatorRole(d.redis, d.keys, username, role, disabled)) === 'last-admin') {
    throw new AdminError('CONFLICT', 'the last enabled admin cannot be demoted or disabled').says('lastAdmin');
  }
  const { role: _role, disabled: _disabled, ...rest } = c;
  await updateOperator(d.redis, d.keys, username, rest);
  await audit(d.redis, d.keys, actor, 'operator.update', `operator:${username}`, { role: before.role, scope: before.scope, disabled: before.disabled }, {
    role, scope: c.scope ?? before.scope, disabled, passwordChanged: c.password !== undefined,
  });
}

/** The operator accounts (admins only). */
export async function listOperatorAccounts(d: StoreDeps, actor: Actor): Promise<Operator[]> {
  if (!can(actor, 'administer')) throw new AdminError('FORBIDDEN', 'only an admin may list operators').says('adminOnly');
  return listOperators(d.redis, d.keys);
}

/**
 * Any signed-in operator, a viewer too, changes their own password, giving the current one; every session of the
 * account ends.
 */
export async function changeOwnPassword(d: StoreDeps, actor: Actor, input: { current: string; password: string; confirm?: string }): Promise<void> {
  const { current, password, confirm } = input;
  const op = await getOperator(d.redis, d.keys, actor.name);
  if (!op || !(await verifyPassword(current, op.passwordHash))) throw new AdminError('INVALID', 'current: not the current password').says('wrongCurrent');
  checkPassword(password);
  if (confirm !== undefined && confirm !== password) throw new AdminError('INVALID', 'confirm: the two new passwords differ').says('passwordMismatch');
  await updateOperator(d.redis, d.keys, actor.name, { password });
  await audit(d.redis, d.keys, actor, 'operator.password', `operator:${actor.name}`, null, null);
}
