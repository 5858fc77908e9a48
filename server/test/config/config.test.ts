import { WECHAT_API_BASE } from '../../src/config/wechat-target'
import { EMULATOR_APPID, EMULATOR_SECRET } from '../../../emulator'
import { resolve } from 'node:path'
import { ConfigError, DEFAULT_DATA_DIR, loadConfig } from '../../src/config/config'
import { phoneKeyId } from '../../src/config/phone-keys'

const APPID = 'wx4f4bc4dec97d474b'
const SECRET = '0123456789abcdef0123456789abcdef'
const KEY = Buffer.alloc(32, 1).toString('base64')
const OLD_KEY = Buffer.alloc(32, 2).toString('base64')
/** What production needs beside WeChat: the key of the phone numbers at rest. */
const PRODUCTION = { NODE_ENV: 'production', PHONE_ENCRYPTION_KEY: KEY }

function configErrorOf(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env)
  } catch (error) {
    if (error instanceof ConfigError) return error
    throw error
  }
  throw new Error('expected a ConfigError')
}

describe('loadConfig', () => {
  it('needs nothing: the emulator, on 127.0.0.1:3000', () => {
    expect(loadConfig({})).toEqual({
      production: false,
      host: '127.0.0.1',
      port: 3000,
      dataDir: DEFAULT_DATA_DIR,
      database: null,
      redis: null,
      tokenTtlS: 604800,
      watermarkMaxAgeS: 600,
      rateLimitPerMin: 60,
      trustProxy: 0,
      logLevel: 'info',
      metrics: null,
      shutdownDelayS: 0,
      wechat: { appid: EMULATOR_APPID, secret: expect.any(String), apiBase: null },
      emulator: { mode: 'preview' },
      phoneKeys: null,
    })
  })

  it('reads every variable', () => {
    const config = loadConfig({
      HOST: '0.0.0.0',
      PORT: '0',
      DATA_DIR: 'some/dir',
      TOKEN_TTL_S: '3600',
      WATERMARK_MAX_AGE_S: '0',
      RATE_LIMIT_PER_MIN: '0',
      TRUST_PROXY: '2',
      EMULATOR_MODE: 'strict',
      LOG_LEVEL: 'warn',
      SHUTDOWN_DELAY_S: '5',
      METRICS_PORT: '9464',
      METRICS_HOST: '10.0.0.11',
      METRICS_TOKEN: 'a-long-enough-metrics-token',
    })
    expect(config).toMatchObject({
      host: '0.0.0.0',
      port: 0,
      dataDir: resolve('some/dir'),
      tokenTtlS: 3600,
      watermarkMaxAgeS: 0,
      rateLimitPerMin: 0,
      trustProxy: 2,
      logLevel: 'warn',
      shutdownDelayS: 5,
      metrics: { port: 9464, host: '10.0.0.11', token: 'a-long-enough-metrics-token' },
      wechat: { appid: EMULATOR_APPID, apiBase: null },
      emulator: { mode: 'strict' },
    })
  })

  it('talks to real WeChat with WECHAT_APPID and WECHAT_SECRET', () => {
    const config = loadConfig({ WECHAT_APPID: APPID, WECHAT_SECRET: SECRET })
    expect(config.wechat).toEqual({ appid: APPID, secret: SECRET, apiBase: WECHAT_API_BASE })
    expect(config.emulator).toBeNull()
    const proxied = loadConfig({
      WECHAT_APPID: APPID,
      WECHAT_SECRET: SECRET,
      WECHAT_API_BASE: 'https://wechat-proxy.internal',
    })
    expect(proxied.wechat.apiBase).toBe('https://wechat-proxy.internal')
  })

  describe('the built-in emulator', () => {
    const real = { WECHAT_APPID: APPID, WECHAT_SECRET: SECRET }

    it.each([
      ['nothing set (development)', {}, { mode: 'preview' }],
      ['NODE_ENV=development', { NODE_ENV: 'development' }, { mode: 'preview' }],
      ['EMULATOR=1 in production', { ...PRODUCTION, EMULATOR: '1' }, { mode: 'preview' }],
      ['credentials', real, null],
      ['credentials in production', { ...real, ...PRODUCTION }, null],
      ['credentials and EMULATOR=0', { ...real, EMULATOR: '0' }, null],
    ])('with %s: %j', (_case, env, emulator) => {
      expect(loadConfig(env).emulator).toEqual(emulator)
    })

    it('serves several production instances from one emulator elsewhere, by its credentials', () => {
      const config = loadConfig({
        ...PRODUCTION,
        WECHAT_APPID: EMULATOR_APPID,
        WECHAT_SECRET: EMULATOR_SECRET,
        WECHAT_API_BASE: 'http://10.0.0.5:3100',
      })
      expect(config.emulator).toBeNull()
      expect(config.wechat).toEqual({
        appid: EMULATOR_APPID,
        secret: EMULATOR_SECRET,
        apiBase: 'http://10.0.0.5:3100',
      })
    })

    it('refuses production without credentials, and says what to set', () => {
      const { problems } = configErrorOf(PRODUCTION)
      expect(problems).toEqual([expect.stringContaining('set WECHAT_APPID and WECHAT_SECRET')])
      expect(problems[0]).toContain('EMULATOR=1')
      // An emulator elsewhere still needs its credentials named: nothing is assumed in production.
      expect(
        configErrorOf({ NODE_ENV: 'production', WECHAT_API_BASE: 'http://10.0.0.5:3100' }),
      ).toBeInstanceOf(ConfigError)
    })

    it('calls the emulator WECHAT_API_BASE names, with its appid, and mounts none of its own', () => {
      const config = loadConfig({ WECHAT_API_BASE: 'http://127.0.0.1:3100/' })
      expect(config.emulator).toBeNull()
      expect(config.wechat).toEqual({
        appid: EMULATOR_APPID,
        secret: EMULATOR_SECRET,
        apiBase: 'http://127.0.0.1:3100',
      })
      expect(loadConfig({ WECHAT_API_BASE: 'http://127.0.0.1:3100', EMULATOR: '0' }).emulator).toBe(
        null,
      )
    })

    it.each(['0.0.0.0', '::', '10.0.0.5', 'api.example.com'])(
      'refuses EMULATOR=1 under NODE_ENV=production with HOST=%s, where the network reaches it',
      (host) => {
        const { problems } = configErrorOf({ ...PRODUCTION, EMULATOR: '1', HOST: host })
        expect(problems).toEqual([
          expect.stringMatching(
            /^EMULATOR=1 under NODE_ENV=production listens on HOST=.*: anyone who reaches it can read any session_key/,
          ),
        ])
      },
    )

    it.each(['127.0.0.1', '127.0.0.2', 'localhost', '::1'])(
      'takes EMULATOR=1 under NODE_ENV=production on the loopback HOST=%s',
      (host) => {
        expect(loadConfig({ ...PRODUCTION, EMULATOR: '1', HOST: host }).emulator).toEqual({
          mode: 'preview',
        })
      },
    )

    it('never prints the credentials of WECHAT_API_BASE, even when refusing it', () => {
      const { message } = configErrorOf({ WECHAT_API_BASE: 'http://proxy:s3cret-pw@host/?x=1' })
      expect(message).toContain('WECHAT_API_BASE must be an http(s) URL')
      expect(message).toContain('http://***@host/?x=1')
      expect(message).not.toContain('s3cret-pw')
    })

    it.each(['Production', 'production ', 'prod', 'PRODUCTION'])(
      'refuses NODE_ENV=%j rather than run the emulator in development',
      (value) => {
        const { problems } = configErrorOf({ NODE_ENV: value })
        expect(problems).toEqual([
          expect.stringMatching(/^NODE_ENV must be exactly production to run in production/),
        ])
      },
    )

    it.each([
      [{ EMULATOR: '0' }, /^EMULATOR=0 turns the built-in emulator off: set WECHAT_APPID/],
      [
        { EMULATOR: '1', WECHAT_API_BASE: 'http://127.0.0.1:3100' },
        /^EMULATOR=1 runs the built-in emulator, and WECHAT_API_BASE names another one/,
      ],
      [{ EMULATOR: '1', ...real }, /^EMULATOR=1 runs the built-in emulator with its own appid/],
      [{ EMULATOR: 'yes' }, /^EMULATOR must be 1 \(the built-in emulator\) or 0 \(got "yes"\)$/],
    ])('refuses %j', (env, problem) => {
      const { problems } = configErrorOf(env)
      expect(problems).toHaveLength(1)
      expect(problems[0]).toMatch(problem)
    })
  })

  describe('the metrics', () => {
    it('are off unless a port or a token is set', () => {
      expect(loadConfig({ METRICS_HOST: '' }).metrics).toBeNull()
      expect(loadConfig({ HOST: '10.0.0.11', METRICS_PORT: '0' }).metrics).toEqual({
        port: 0,
        host: '10.0.0.11',
        token: null,
      })
      expect(loadConfig({ METRICS_TOKEN: 'x'.repeat(16) }).metrics).toEqual({
        port: null,
        host: '127.0.0.1',
        token: 'x'.repeat(16),
      })
    })

    it.each([
      [{ METRICS_PORT: '3000' }, /^METRICS_PORT must differ from PORT/],
      [{ METRICS_PORT: '70000' }, /^METRICS_PORT must be an integer from 0 to 65535/],
      [{ METRICS_HOST: '10.0.0.11' }, /^METRICS_HOST applies only with METRICS_PORT/],
      [{ METRICS_TOKEN: 'short' }, /^METRICS_TOKEN must be 16 to 128 printable characters/],
      [{ METRICS_TOKEN: 'with a space in it, long' }, /^METRICS_TOKEN must be 16/],
      [{ LOG_LEVEL: 'verbose' }, /^LOG_LEVEL must be one of fatal, error, warn, info, debug/],
      [{ SHUTDOWN_DELAY_S: '61' }, /^SHUTDOWN_DELAY_S must be an integer from 0 to 60/],
    ])('refuses %j', (env, problem) => {
      const { problems } = configErrorOf(env)
      expect(problems).toHaveLength(1)
      expect(problems[0]).toMatch(problem)
      // A token is a secret: never echoed back.
      expect(problems[0]).not.toContain('with a space')
    })
  })

  describe('TRUST_PROXY', () => {
    it.each([
      [undefined, 0],
      ['0', 0],
      ['false', 0],
      ['1', 1],
      ['3', 3],
      ['127.0.0.1', ['127.0.0.1']],
      ['10.0.0.0/8, 192.168.1.7,::1, fd00::/8', ['10.0.0.0/8', '192.168.1.7', '::1', 'fd00::/8']],
      ['loopback,uniquelocal', ['loopback', 'uniquelocal']],
    ])('reads %j as %j', (value, trust) => {
      expect(loadConfig({ TRUST_PROXY: value }).trustProxy).toEqual(trust)
    })

    it.each(['true', 'yes', 'TRUE'])('refuses %s, which would trust everyone', (value) => {
      const { problems } = configErrorOf({ TRUST_PROXY: value })
      expect(problems).toEqual([
        expect.stringMatching(
          /would trust every hop.*set the number of proxies in front of the server \(1 for one nginx\) or their addresses/,
        ),
      ])
    })

    it.each(['::ffff:0:0/96', '0.0.0.0/1,128.0.0.0/1', '::/1,8000::/1', '2000::/3', '8.0.0.0/7'])(
      'refuses %s, public ranges that trust everyone there, even with TRUST_PROXY_PUBLIC=1',
      (value) => {
        const { problems } = configErrorOf({ TRUST_PROXY: value, TRUST_PROXY_PUBLIC: '1' })
        expect(problems).toEqual([
          expect.stringMatching(/^TRUST_PROXY=.* trusts public addresses no proxy has/),
        ])
      },
    )

    it.each([
      '10.0.0.0/8',
      '172.16.0.0/12',
      '192.168.0.0/16',
      '127.0.0.1',
      '169.254.0.0/16',
      '100.64.0.0/10',
      'fc00::/7',
      'fe80::/10',
      '::1',
      '10.1.2.3, fd12:3456::/48',
    ])('accepts %s: loopback, private, link-local, unique-local (and RFC 6598) ranges', (value) => {
      expect(loadConfig({ TRUST_PROXY: value }).trustProxy).toEqual(
        value.split(',').map((entry) => entry.trim()),
      )
    })

    it.each(['8.8.8.0/24', '1.0.0.0/8', '2001::/16', '2001:db8::/32', '10.0.0.0/8,203.0.113.7'])(
      'refuses %s, public addresses, unless TRUST_PROXY_PUBLIC=1 says so',
      (value) => {
        const { problems } = configErrorOf({ TRUST_PROXY: value })
        expect(problems).toEqual([
          expect.stringMatching(/^TRUST_PROXY=.* names public addresses .* TRUST_PROXY_PUBLIC=1/),
        ])
        expect(loadConfig({ TRUST_PROXY: value, TRUST_PROXY_PUBLIC: '1' }).trustProxy).toEqual(
          value.split(',').map((entry) => entry.trim()),
        )
      },
    )

    it('refuses TRUST_PROXY_PUBLIC other than 1, or without a list to apply to', () => {
      expect(configErrorOf({ TRUST_PROXY_PUBLIC: 'yes' }).problems).toEqual([
        expect.stringMatching(/^TRUST_PROXY_PUBLIC must be 1/),
      ])
      expect(configErrorOf({ TRUST_PROXY: '1', TRUST_PROXY_PUBLIC: '1' }).problems).toEqual([
        expect.stringMatching(/^TRUST_PROXY_PUBLIC=1 applies only to a list of addresses/),
      ])
    })

    it.each(['maybe', '11', '-1', '10.0.0.0/0', '::/0', '10.0.0.300', '10.0.0.0/33', '1.2.3.4,'])(
      'refuses %s',
      (value) => {
        const { problems } = configErrorOf({ TRUST_PROXY: value })
        expect(problems).toEqual([expect.stringMatching(/^TRUST_PROXY must be a hop count/)])
      },
    )
  })

  describe('the keys of the phone numbers at rest', () => {
    const idOf = (base64: string) => phoneKeyId(Buffer.from(base64, 'base64'))

    it('reads the current key and the old ones still read', () => {
      const { phoneKeys } = loadConfig({
        PHONE_ENCRYPTION_KEY: KEY,
        PHONE_ENCRYPTION_KEYS: `${OLD_KEY}, ${KEY}`,
      })
      expect(phoneKeys?.current.toString('base64')).toBe(KEY)
      // The current one among the old (a rotation half done) is harmless, and kept once.
      expect(phoneKeys?.previous.map((key) => key.toString('base64'))).toEqual([OLD_KEY])
      expect(idOf(KEY)).toMatch(/^[0-9a-f]{8}$/)
      expect(idOf(KEY)).not.toBe(idOf(OLD_KEY))
    })

    it('leaves development to a key the store keeps in DATA_DIR', () => {
      expect(loadConfig({}).phoneKeys).toBeNull()
    })

    it('requires one in production, and says how to make one', () => {
      const { problems } = configErrorOf({
        NODE_ENV: 'production',
        WECHAT_APPID: APPID,
        WECHAT_SECRET: SECRET,
      })
      expect(problems).toEqual([
        expect.stringMatching(
          /^NODE_ENV=production needs PHONE_ENCRYPTION_KEY, .*openssl rand -base64 32/,
        ),
      ])
    })

    it.each([
      [{ PHONE_ENCRYPTION_KEY: 'secret' }, /^PHONE_ENCRYPTION_KEY must be 32 random bytes/],
      [{ PHONE_ENCRYPTION_KEY: Buffer.alloc(16).toString('base64') }, /^PHONE_ENCRYPTION_KEY/],
      [{ PHONE_ENCRYPTION_KEY: KEY, PHONE_ENCRYPTION_KEYS: `${OLD_KEY},x` }, /key 2 must be/],
      [{ PHONE_ENCRYPTION_KEYS: OLD_KEY }, /set the current one in PHONE_ENCRYPTION_KEY/],
    ])('refuses %j, never echoing a key', (env, problem) => {
      const { problems, message } = configErrorOf(env)
      expect(problems).toEqual([expect.stringMatching(problem)])
      expect(message).not.toContain(OLD_KEY)
      expect(message).not.toContain('secret')
    })
  })

  it('keeps the store in PostgreSQL with DATABASE_URL, by default with 10 connections', () => {
    const url = 'postgresql://app:pass@db.internal:5432/weapp'
    expect(loadConfig({ DATABASE_URL: url }).database).toEqual({ url, poolMax: 10 })
    const socket = 'postgres:///weapp?host=/var/run/postgresql'
    expect(loadConfig({ DATABASE_URL: socket, DATABASE_POOL_MAX: '100' }).database).toEqual({
      url: socket,
      poolMax: 100,
    })
  })

  it('shares the rate limit and the access token through Redis with REDIS_URL', () => {
    for (const url of [
      'redis://127.0.0.1:6379',
      'redis://:p4ss@cache.internal:6380/2',
      'rediss://app:p4ss@cache.internal/',
    ]) {
      expect(loadConfig({ REDIS_URL: url }).redis).toEqual({ url })
    }
  })

  it('takes an empty value as unset', () => {
    expect(loadConfig({ PORT: '', WECHAT_APPID: '', REDIS_URL: '' })).toMatchObject({
      port: 3000,
      redis: null,
    })
  })

  it.each([
    [{ PORT: 'abc' }, /^PORT must be an integer from 0 to 65535 \(got "abc"\)$/],
    [{ PORT: '65536' }, /^PORT/],
    [{ PORT: '-1' }, /^PORT/],
    [{ HOST: 'http://x' }, /^HOST/],
    [{ TOKEN_TTL_S: '1.5' }, /^TOKEN_TTL_S/],
    [{ TOKEN_TTL_S: '0' }, /^TOKEN_TTL_S/],
    [{ WATERMARK_MAX_AGE_S: 'off' }, /^WATERMARK_MAX_AGE_S/],
    [{ RATE_LIMIT_PER_MIN: '1e3' }, /^RATE_LIMIT_PER_MIN/],
    [{ WECHAT_API_BASE: 'api.weixin.qq.com' }, /^WECHAT_API_BASE/],
    [{ WECHAT_API_BASE: 'ftp://x' }, /^WECHAT_API_BASE/],
    [{ EMULATOR_MODE: 'lenient' }, /^EMULATOR_MODE/],
    [{ WECHAT_APPID: APPID }, /both WECHAT_APPID and WECHAT_SECRET/],
    [{ WECHAT_SECRET: SECRET }, /both WECHAT_APPID and WECHAT_SECRET/],
    [{ WECHAT_APPID: 'wx123', WECHAT_SECRET: SECRET }, /^WECHAT_APPID/],
    [{ WECHAT_APPID: APPID, WECHAT_SECRET: SECRET, EMULATOR_MODE: 'strict' }, /^EMULATOR_MODE/],
    [{ DATABASE_URL: 'mysql://app@db/weapp' }, /^DATABASE_URL must be a postgres:\/\//],
    [{ DATABASE_URL: 'db.internal:5432' }, /^DATABASE_URL/],
    [{ DATABASE_URL: 'postgres:weapp' }, /^DATABASE_URL/],
    [{ DATABASE_URL: 'postgres://db/weapp', DATABASE_POOL_MAX: '0' }, /^DATABASE_POOL_MAX/],
    [{ DATABASE_URL: 'postgres://db/weapp', DATABASE_POOL_MAX: '101' }, /^DATABASE_POOL_MAX/],
    [{ DATABASE_POOL_MAX: '20' }, /^DATABASE_POOL_MAX applies only with DATABASE_URL/],
    [{ REDIS_URL: 'http://cache.internal:6379' }, /^REDIS_URL must be a redis:\/\//],
    [{ REDIS_URL: 'cache.internal:6379' }, /^REDIS_URL/],
    [{ REDIS_URL: 'redis:///var/run/redis.sock' }, /^REDIS_URL/],
    [{ REDIS_URL: 'redis://cache.internal/16' }, /^REDIS_URL/],
    [{ REDIS_URL: 'redis://cache.internal/?db=1' }, /^REDIS_URL/],
  ])('refuses %j', (env, problem) => {
    const { problems } = configErrorOf(env)
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatch(problem)
  })

  it('lists every problem at once, and never echoes the secret', () => {
    const error = configErrorOf({
      PORT: 'x',
      TOKEN_TTL_S: 'y',
      WECHAT_APPID: APPID,
      WECHAT_SECRET: 'has space',
    })
    expect(error.problems).toHaveLength(3)
    expect(error.message).toMatch(/^invalid configuration:\n {2}- PORT/)
    expect(error.message).not.toContain('has space')
  })

  it('never echoes a database or Redis password', () => {
    const error = configErrorOf({
      DATABASE_URL: 'mysql://app:s3cret-pw@db/weapp',
      REDIS_URL: 'redis://:r3dis-pw@cache/x',
    })
    expect(error.problems).toEqual([
      expect.stringMatching(/^DATABASE_URL/),
      expect.stringMatching(/^REDIS_URL/),
    ])
    expect(error.message).not.toContain('s3cret-pw')
    expect(error.message).not.toContain('r3dis-pw')
  })
})
