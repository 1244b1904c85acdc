/**
 * The queue a process runs its jobs on: the in-process queue by default, the
 * Redis queue when a Redis URL is given (REDIS_URL in the App server). Redis
 * code (BullMQ, ioredis) is loaded only then, so the Action and a
 * single-process server never load it.
 */
import { MemoryQueue } from "./memory-queue.js";
import type { MissionQueue, QueueOptions } from "./queue.js";
import type { RedisQueueOptions } from "./redis-queue.js";

export type CreateQueueOptions = QueueOptions & Partial<Omit<RedisQueueOptions, "redisUrl">> & { redisUrl?: string };

export async function createQueue(options: CreateQueueOptions = {}): Promise<MissionQueue> {
  const { redisUrl, ...rest } = options;
  if (!redisUrl) return new MemoryQueue(rest);
  const { RedisQueue } = await import("./redis-queue.js");
  return new RedisQueue({ ...rest, redisUrl });
}
