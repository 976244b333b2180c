// What the app is built from. main.ts makes the real ones; tests make their own.
import type { Redis } from "ioredis";
import type { Config } from "./config";
import type { Clock } from "./infra/clock";
import type { SecretBox } from "./infra/crypto";
import type { Logger } from "./infra/logger";
import type { Db } from "./infra/prisma";
import type { EventBus } from "./events/bus";

export interface Deps {
  config: Config;
  db: Db;
  redis: Redis;
  clock: Clock;
  log: Logger;
  bus: EventBus;
  secrets: SecretBox;
  jwtSecret: string;
}
