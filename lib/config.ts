/**
 * The one place environment variables are read. `loadConfig` parses them all at once with zod into one
 * typed object and, when anything is wrong, throws a single ConfigError that lists every problem with
 * how to fix it. Under NODE_ENV=production every service must be configured for real: no stand-in,
 * no default credential. Edge-safe: imports zod and the limiter's own (Edge-safe) parsers.
 */
import { z } from 'zod';
import { OVERRIDE_PATTERN, parseTrustedProxies } from '@zigznote/ratelimit/limiter';
import { Cron } from 'croner';

/**
 * The S3 servers STORAGE_BACKEND may name, and the region each signs with when MINIO_REGION says none
 * (what else differs between them is lib/storage/backends.ts, keyed by these names).
 */
export const STORAGE_BACKEND_REGIONS = { minio: 'us-east-1', garage: 'garage' } as const;
export type StorageBackendName = keyof typeof STORAGE_BACKEND_REGIONS;
const STORAGE_BACKENDS = Object.keys(STORAGE_BACKEND_REGIONS) as [StorageBackendName, ...StorageBackendName[]];

const DEFAULT_CREDENTIALS = new Set(['minioadmin', 'admin', 'password', 'changeme', 'secret']);

/** The empty-string rule: a variable set to blank (as compose passes an unset one) counts as unset. */
/** Blank means unset: a value of only whitespace counts as not given (compose passes unset variables blank). */
function unlessBlankValue(value: string | undefined): string | undefined;
function unlessBlankValue(value: unknown): unknown;
function unlessBlankValue(value: unknown): unknown {
  return typeof value === 'string' && value.trim() === '' ? undefined : value;
}
const unlessBlank = <T extends z.ZodType>(schema: T) => z.preprocess(unlessBlankValue, schema);
const optionalString = unlessBlank(z.string().optional());
const booleanFlag = unlessBlank(
  z
    .stringbool({ truthy: ['true', '1'], falsy: ['false', '0'], case: 'sensitive', error: 'must be true or false' })
    .optional()
    .transform((v) => v === true),
);
/** A flag that is on unless set to false. */
const booleanFlagOn = unlessBlank(
  z
    .stringbool({ truthy: ['true', '1'], falsy: ['false', '0'], case: 'sensitive', error: 'must be true or false' })
    .optional()
    .transform((v) => v !== false),
);
/** "host:port, host:port" (Redis Cluster nodes, Sentinels). */
const hostPortList = unlessBlank(
  z
    .string()
    .regex(/^\s*[^\s:,]+:\d+\s*(,\s*[^\s:,]+:\d+\s*)*$/, { error: 'must be host:port pairs separated by commas' })
    .optional(),
);
const url = (hint: string) => unlessBlank(z.url({ error: `must be a URL, ${hint}` }).optional());

/** A parser's own message, as a validation issue: the variable is checked when the app starts. */
function refusalOf(parse: (value: string) => unknown) {
  return (value: string, context: z.RefinementCtx) => {
    try {
      parse(value);
    } catch (error) {
      const message = error instanceof Error ? error.message.replace(/^[A-Z_]+: /, '') : String(error);
      context.addIssue({ code: 'custom', message });
    }
  };
}

function isAesKeyBase64(key: string): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key)) return false;
  try {
    return [16, 24, 32].includes(atob(key).length);
  } catch {
    return false;
  }
}

const envSchema = z.object({
  NODE_ENV: unlessBlank(z.enum(['development', 'production', 'test']).default('development')),
  NEXT_PUBLIC_APP_URL: unlessBlank(
    z.url({ error: 'must be the URL users open, e.g. https://app.example.com' }).default('http://localhost:3000'),
  ),
  TRUSTED_PROXIES: unlessBlank(
    z
      .string()
      .superRefine(refusalOf((value) => parseTrustedProxies(value, 'TRUSTED_PROXIES')))
      .optional(),
  ),

  DATABASE_URL: unlessBlank(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, { error: 'must be a postgres:// URL, e.g. postgres://user:pass@db:5432/zigznote' })
      .optional(),
  ),
  PGLITE_DIR: optionalString,

  REDIS_URL: unlessBlank(
    z
      .string()
      .regex(/^rediss?:\/\//, { error: 'must be a redis:// or rediss:// URL, e.g. redis://:password@redis:6379' })
      .optional(),
  ),

  REDIS_CLUSTER_NODES: hostPortList,
  REDIS_SENTINELS: hostPortList,
  REDIS_SENTINEL_NAME: unlessBlank(z.string().default('mymaster')),
  REDIS_PASSWORD: optionalString,
  RATE_LIMITS_DISABLED: booleanFlag,
  RATE_LIMITS: unlessBlank(
    z
      .string()
      // The limiter's own syntax for one item (what applyOverrides parses), checked on each.
      .refine((list) => list.split(',').every((item) => OVERRIDE_PATTERN.test(item)), {
        message: 'must be name=limit/window pairs separated by commas, e.g. login=5/15m,api=300/1m',
      })
      .optional(),
  ),

  RATE_LIMITS_SHADOW: unlessBlank(
    z
      .string()
      .regex(/^\s*[a-z0-9-]+\s*(,\s*[a-z0-9-]+\s*)*$/, {
        message: 'must be rule names separated by commas, e.g. register,api',
      })
      .optional(),
  ),
  METRICS_TOKEN: unlessBlank(
    z.string().min(16, { error: 'must be at least 16 characters (e.g. openssl rand -hex 32)' }).optional(),
  ),

  RATE_LIMIT_BRIDGE_URL: url('the address this app answers on from inside, e.g. http://127.0.0.1:3000'),
  RATE_LIMIT_BRIDGE_SECRET: unlessBlank(
    z.string().min(32, { error: 'must be at least 32 characters (e.g. openssl rand -hex 32)' }).optional(),
  ),

  STORAGE_BACKEND: unlessBlank(
    z.enum(STORAGE_BACKENDS, { error: `must be one of ${STORAGE_BACKENDS.join(', ')}` }).default('minio'),
  ),
  MINIO_ENDPOINT: optionalString,
  MINIO_PORT: unlessBlank(z.coerce.number({ error: 'must be a port number' }).int().min(1).max(65535).optional()),
  MINIO_USE_SSL: booleanFlag,
  MINIO_ACCESS_KEY: optionalString,
  MINIO_SECRET_KEY: optionalString,
  MINIO_PUBLIC_URL: url('the storage origin browsers reach, e.g. https://files.example.com'),
  MINIO_REGION: optionalString,
  MINIO_BUCKET_PREFIX: unlessBlank(
    z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{1,40}$/, {
        error: 'must be lowercase letters, digits and dashes (a bucket name prefix)',
      })
      .default('zigznote'),
  ),

  STORAGE_QUOTA_BYTES: unlessBlank(
    z.coerce
      .number({ error: 'must be a number of bytes, e.g. 10737418240 for 10 GiB' })
      .int()
      .positive()
      .default(10 * 1024 ** 3),
  ),

  AWS_SES_REGION: unlessBlank(z.string().default('us-east-1')),
  AWS_SES_ACCESS_KEY_ID: optionalString,
  AWS_SES_SECRET_ACCESS_KEY: optionalString,
  AWS_SES_FROM_EMAIL: optionalString,
  AWS_SES_ENDPOINT: url('the SES endpoint override, e.g. http://127.0.0.1:8005 for the local one'),
  AWS_SES_REPLY_TO: optionalString,
  AWS_SES_CONFIGURATION_SET: optionalString,
  AWS_SES_TAGS: unlessBlank(
    z
      .string()
      .regex(/^\s*[A-Za-z0-9_-]+=[A-Za-z0-9_.@-]+\s*(,\s*[A-Za-z0-9_-]+=[A-Za-z0-9_.@-]+\s*)*$/, {
        message: 'must be name=value pairs separated by commas, e.g. app=zigznote,env=prod',
      })
      .optional(),
  ),
  AWS_SES_SNS_TOPIC_ARN: unlessBlank(
    z
      .string()
      .regex(
        /^\s*arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+\s*(,\s*arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+\s*)*$/,
        {
          message: 'must be one SNS topic ARN, or several separated by commas (arn:aws:sns:<region>:<account>:<topic>)',
        },
      )
      .optional(),
  ),
  EMAIL_SEND_RATE: unlessBlank(
    z.coerce.number({ error: 'must be a number of emails per second' }).positive().max(10_000).optional(),
  ),

  EMAIL_IDEMPOTENCY_DAYS: unlessBlank(
    z.coerce.number({ error: 'must be a number of days' }).int().min(1).max(365).default(7),
  ),
  NEW_DEVICE_EMAIL: booleanFlagOn,
  SESSION_ABSOLUTE_LIFETIME_DAYS: unlessBlank(
    z.coerce.number({ error: 'must be a number of days' }).int().min(1).max(400).default(90),
  ),
  BACKUP_BUCKET: unlessBlank(
    z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, {
        error: 'must be an S3 bucket name (3-63 lower-case letters, digits, dots, hyphens)',
      })
      .default('zigznote-backups'),
  ),
  BACKUP_SCHEDULE: unlessBlank(
    z
      .string()
      .refine(
        (pattern) => {
          try {
            new Cron(pattern, { paused: true, timezone: 'UTC' }).stop();
            return true;
          } catch {
            return false;
          }
        },
        {
          error:
            'must be a cron pattern in UTC (minute hour day month weekday, e.g. "17 3 * * *"), or @daily / @hourly',
        },
      )
      .default('17 3 * * *'),
  ),
  BACKUP_KEEP_DAILY: unlessBlank(
    z.coerce.number({ error: 'must be a number of days' }).int().min(1).max(366).default(7),
  ),
  BACKUP_KEEP_WEEKLY: unlessBlank(
    z.coerce.number({ error: 'must be a number of weeks' }).int().min(0).max(520).default(4),
  ),
  BACKUP_ENCRYPTION_KEY_FILE: optionalString,
  HEALTH_TOKEN: unlessBlank(
    z.string().min(16, { error: 'must be at least 16 characters (e.g. openssl rand -hex 32)' }).optional(),
  ),
  HEALTH_CACHE_SECONDS: unlessBlank(
    z.coerce.number({ error: 'must be a number of seconds' }).min(0).max(300).default(5),
  ),
  SHUTDOWN_GRACE_SECONDS: unlessBlank(
    z.coerce.number({ error: 'must be a number of seconds' }).min(1).max(600).default(25),
  ),

  CACHE_DISABLED: booleanFlag,
  CACHE_MAX_TTL_SECONDS: unlessBlank(
    z.coerce
      .number({ error: 'must be a number of seconds' })
      .int()
      .min(60)
      .max(30 * 24 * 3600)
      .default(7 * 24 * 3600),
  ),
  NEXT_SERVER_ACTIONS_ENCRYPTION_KEY: unlessBlank(
    z
      .string()
      .refine(isAesKeyBase64, {
        message: 'must be a base64 AES key of 16, 24 or 32 bytes (openssl rand -base64 32)',
      })
      .optional(),
  ),

  SENTRY_DSN: url('the DSN GlitchTip shows for the project'),
  ENABLE_DEBUG_ROUTES: booleanFlag,
});

/** Every variable the app reads: .env.example documents each (a test checks). */
export const ENV_VARIABLES = Object.keys(envSchema.shape) as Array<keyof typeof envSchema.shape>;

export interface HostPort {
  host: string;
  port: number;
}

function hostPorts(list: string): HostPort[] {
  return list.split(',').map((item) => {
    const [host = '', port = ''] = item.trim().split(':');
    return { host, port: Number(port) };
  });
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `Configuration is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p}`).join('\n') +
        '\nSee .env.example for every variable, its meaning and an example.',
    );
    this.name = 'ConfigError';
  }
}

const REQUIRED_IN_PRODUCTION: Array<[string, string]> = [
  ['DATABASE_URL', 'set it to your Postgres URL (the embedded PGlite is for development only)'],
  [
    'REDIS_URL',
    'set it to your Redis URL (the in-process store is for development only), or configure REDIS_CLUSTER_NODES or REDIS_SENTINELS',
  ],
  ['MINIO_ENDPOINT', 'set it to the host name of your MinIO server'],
  ['MINIO_ACCESS_KEY', 'set it to a MinIO access key created for the app'],
  ['MINIO_SECRET_KEY', 'set it to the secret of that access key'],
  ['MINIO_PUBLIC_URL', 'set it to the storage URL browsers reach (used to presign uploads)'],
  ['AWS_SES_FROM_EMAIL', 'set it to a verified SES sender, e.g. "zigznote <no-reply@example.com>"'],
  [
    'NEXT_SERVER_ACTIONS_ENCRYPTION_KEY',
    'set it to the same key on every instance (openssl rand -base64 32), or a form rendered by one instance fails when another receives it',
  ],
];

/** Checks on the raw values, so they are reported together with any parse error. */
function productionProblems(source: Record<string, string | undefined>): string[] {
  const value = (name: string) => unlessBlankValue(source[name])?.trim();
  const problems: string[] = [];
  if ((value('AWS_SES_ACCESS_KEY_ID') === undefined) !== (value('AWS_SES_SECRET_ACCESS_KEY') === undefined)) {
    problems.push(
      'AWS_SES_ACCESS_KEY_ID and AWS_SES_SECRET_ACCESS_KEY go together: set both, or neither to use the default AWS credential chain',
    );
  }
  if (value('NODE_ENV') !== 'production') return problems;
  for (const [name, fix] of REQUIRED_IN_PRODUCTION) {
    const satisfiedOtherwise = name === 'REDIS_URL' && (value('REDIS_CLUSTER_NODES') || value('REDIS_SENTINELS'));
    if (value(name) === undefined && !satisfiedOtherwise) problems.push(`${name} is required in production: ${fix}`);
  }
  for (const name of ['MINIO_ACCESS_KEY', 'MINIO_SECRET_KEY']) {
    const credential = value(name);
    if (credential && DEFAULT_CREDENTIALS.has(credential.toLowerCase())) {
      problems.push(`${name} is a well-known default credential: create a dedicated key for the app`);
    }
  }
  const secret = value('MINIO_SECRET_KEY');
  if (secret && secret.length < 8) {
    problems.push('MINIO_SECRET_KEY is shorter than 8 characters: MinIO refuses it; use a long random secret');
  }
  return problems;
}

/**
 * The variables, parsed, as the app uses them: AppConfig is this schema's output, so each setting is
 * written once here (what it means in a doc comment on its property) and once in the schema above.
 */
const configSchema = envSchema.transform((env) => {
  const storagePort = env.MINIO_PORT ?? 9010;
  const storageHost = env.MINIO_ENDPOINT ?? '127.0.0.1';
  const useSSL = env.MINIO_USE_SSL;
  return {
    env: env.NODE_ENV,
    isProduction: env.NODE_ENV === 'production',
    appUrl: env.NEXT_PUBLIC_APP_URL.replace(/\/$/, ''),
    trustedProxies: env.TRUSTED_PROXIES,
    database: env.DATABASE_URL
      ? { kind: 'postgres' as const, url: env.DATABASE_URL }
      : { kind: 'pglite' as const, dir: env.PGLITE_DIR ?? '.data/pglite' },
    redis: redisTopology(env),
    rateLimitOverrides: env.RATE_LIMITS,
    /** Rules that count and report but refuse nothing, for trying limits in production. */
    rateLimitShadow: env.RATE_LIMITS_SHADOW,
    /** Bearer token of GET /api/metrics; without it the route answers 404. */
    metricsToken: env.METRICS_TOKEN,
    /** For deployments whose gateway limits already, and for benchmarks: no limit is applied at all. */
    rateLimitsDisabled: env.RATE_LIMITS_DISABLED,
    /** Only for a middleware built for the Edge runtime: how it reaches the limiter route. */
    rateLimitBridge: env.RATE_LIMIT_BRIDGE_SECRET
      ? {
          url: (env.RATE_LIMIT_BRIDGE_URL ?? env.NEXT_PUBLIC_APP_URL).replace(/\/$/, ''),
          secret: env.RATE_LIMIT_BRIDGE_SECRET,
        }
      : undefined,
    storage: {
      /** Which S3 server: what differs between them is described in lib/storage/backends.ts. */
      backend: env.STORAGE_BACKEND,
      endPoint: storageHost,
      port: storagePort,
      useSSL,
      accessKey: env.MINIO_ACCESS_KEY ?? 'zigznote-dev',
      secretKey: env.MINIO_SECRET_KEY ?? 'zigznote-dev-secret',
      publicUrl: (env.MINIO_PUBLIC_URL ?? `${useSSL ? 'https' : 'http'}://${storageHost}:${storagePort}`).replace(
        /\/$/,
        '',
      ),
      region: env.MINIO_REGION ?? STORAGE_BACKEND_REGIONS[env.STORAGE_BACKEND],
      bucketPrefix: env.MINIO_BUCKET_PREFIX,
      /** Bytes one user may store, counting completed files and the declared size of pending uploads. */
      quotaBytes: env.STORAGE_QUOTA_BYTES,
    },
    email: {
      region: env.AWS_SES_REGION,
      from: env.AWS_SES_FROM_EMAIL ?? 'zigznote <no-reply@zigznote.local>',
      endpoint: env.AWS_SES_ENDPOINT,
      credentials:
        env.AWS_SES_ACCESS_KEY_ID && env.AWS_SES_SECRET_ACCESS_KEY
          ? { accessKeyId: env.AWS_SES_ACCESS_KEY_ID, secretAccessKey: env.AWS_SES_SECRET_ACCESS_KEY }
          : undefined,
      replyTo: env.AWS_SES_REPLY_TO,
      configurationSet: env.AWS_SES_CONFIGURATION_SET,
      tags: commaList(env.AWS_SES_TAGS).map((pair) => {
        const [name = '', value = ''] = pair.split('=');
        return { Name: name, Value: value };
      }),
      /** Only notifications from these SNS topics are believed; with none, the SNS route answers 404. */
      snsTopicArns: commaList(env.AWS_SES_SNS_TOPIC_ARN),
      /** A cap below the SES account's own MaxSendRate; unset: the account's (14 while it cannot be read). */
      sendRate: env.EMAIL_SEND_RATE,
      /** Days an idempotency key is remembered: the same key within them is the same email. */
      idempotencyDays: env.EMAIL_IDEMPOTENCY_DAYS,
    },
    /** Sessions slide for `idleSeconds` of inactivity, and end `absoluteSeconds` after login regardless. */
    sessions: { idleSeconds: 30 * 24 * 3600, absoluteSeconds: env.SESSION_ABSOLUTE_LIFETIME_DAYS * 24 * 3600 },
    /** Email a user when a login comes from a browser, OS and network not seen for the account in 30 days. */
    newDeviceEmail: env.NEW_DEVICE_EMAIL,
    /** Callers presenting this bearer token get /api/health's error detail; others get ok and latency only. */
    healthToken: env.HEALTH_TOKEN,
    /** Where scripts/backup writes sets and scripts/restore reads them, on the storage server. */
    backupBucket: env.BACKUP_BUCKET,
    /** When scripts/backup --schedule makes a set (cron, UTC), and which sets --prune keeps. */
    backupSchedule: env.BACKUP_SCHEDULE,
    backupRetention: { keepDaily: env.BACKUP_KEEP_DAILY, keepWeekly: env.BACKUP_KEEP_WEEKLY },
    /** A file holding the passphrase sets are encrypted with (OpenSSL AES-256-CBC, PBKDF2); unset: not encrypted. */
    backupEncryptionKeyFile: env.BACKUP_ENCRYPTION_KEY_FILE,
    /** How long each health check's result is reused, so probes cannot load the services. */
    healthCacheSeconds: env.HEALTH_CACHE_SECONDS,
    /** On SIGTERM, requests in flight get this long before the process closes them and exits. */
    shutdownGraceSeconds: env.SHUTDOWN_GRACE_SECONDS,
    /** No cache entry outlives this, whatever its cache life says, so Redis memory stays bounded. */
    cacheMaxTtlSeconds: env.CACHE_MAX_TTL_SECONDS,
    /** Turns the shared cache off (debugging, benchmarks): everything is computed on every request. */
    cacheDisabled: env.CACHE_DISABLED,
    sentryDsn: env.SENTRY_DSN,
    /** Serves /api/debug/error, which throws on purpose, to check error tracking end to end. */
    debugRoutes: env.ENABLE_DEBUG_ROUTES,
  };
});

export type AppConfig = z.output<typeof configSchema>;

function commaList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

/** One Redis, a Cluster, Sentinel, or (development) none: the in-process store. */
function redisTopology(env: z.output<typeof envSchema>) {
  if (env.REDIS_CLUSTER_NODES)
    return { kind: 'cluster' as const, nodes: hostPorts(env.REDIS_CLUSTER_NODES), password: env.REDIS_PASSWORD };
  if (env.REDIS_SENTINELS)
    return {
      kind: 'sentinel' as const,
      sentinels: hostPorts(env.REDIS_SENTINELS),
      name: env.REDIS_SENTINEL_NAME,
      password: env.REDIS_PASSWORD,
    };
  if (env.REDIS_URL) return { kind: 'redis' as const, url: env.REDIS_URL };
  return { kind: 'memory' as const };
}

export function loadConfig(source: Record<string, string | undefined> = process.env): AppConfig {
  const parsed = configSchema.safeParse(source);
  const problems = parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
  problems.push(...productionProblems(source));
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  return parsed.data;
}

let cached: AppConfig | undefined;

/** The process's configuration, parsed on first use. */
export function getConfig(): AppConfig {
  cached ??= loadConfig();
  return cached;
}
