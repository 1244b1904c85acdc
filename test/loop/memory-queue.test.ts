import { MemoryQueue } from "../../src/loop/memory-queue.js";
import { queueContract } from "./queue-contract.js";

queueContract("in-process (MemoryQueue)", (options) => new MemoryQueue(options), { retryLaterMs: 300 });
