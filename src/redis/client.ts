import type { BareRedisClient, ScriptCommands } from './scripts';

/**
 * A single Redis (or one behind Sentinel) or a Redis Cluster, with Limpah's scripts registered as commands
 * (registerScripts): every key Limpah uses shares one hash tag, so each script touches one Cluster slot.
 */
export type RedisClient = BareRedisClient & ScriptCommands;
