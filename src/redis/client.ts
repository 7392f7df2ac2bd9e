import type { Cluster, Redis } from 'ioredis';

/** A single Redis (or one behind Sentinel) or a Redis Cluster: every key Limpah uses shares one hash tag. */
export type RedisClient = Redis | Cluster;
