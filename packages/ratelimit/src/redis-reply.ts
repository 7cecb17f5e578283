import { createHash } from 'node:crypto';
import type { ChainableCommander } from 'ioredis';
import type { RedisClient } from './types.js';

/** Runs a transaction and returns each command's reply; the first command error is thrown, not returned. */
export async function execTransaction(transaction: ChainableCommander): Promise<unknown[]> {
  const replies = await transaction.exec();
  if (!replies) throw new Error('Redis aborted the transaction');
  return replies.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}

export interface Script {
  lua: string;
  sha: string;
}

export function script(lua: string): Script {
  return { lua, sha: createHash('sha1').update(lua).digest('hex') };
}

/**
 * EVALSHA, and EVAL when this Redis has not seen the script yet (after a restart or a failover): no script
 * is registered on the caller's client under a name of ours.
 */
export async function runScript(
  redis: RedisClient,
  { lua, sha }: Script,
  keys: string[],
  args: (string | number)[],
): Promise<unknown> {
  try {
    return await redis.evalsha(sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
    return redis.eval(lua, keys.length, ...keys, ...args);
  }
}
