/**
 * Expand/contract: every migration says its step, and this release serves on a database that the
 * next release migrated, as the instances of a rolling upgrade do side by side.
 */
import { sql, type Migration } from 'kysely'
import { png } from '../../../common/images'
import { describeWhenAvailable } from '../../../test/support/needs'
import type { User } from '../../src/sessions/user'
import { openStore, type StoreLog } from '../../src/store'
import { migrate, migrations, parseMigrationName, schemaMismatch } from '../../src/store/migrations'
import { openPostgres } from '../../src/store/postgres'
import { openSqlite } from '../../src/store/sqlite'
import { ENGINES, type FreshStore, type StoreConfig } from '../support/engines'
import { startTestServer, type ErrorAnswer, type TestServer } from '../support/test-server'

const quiet: StoreLog = { error: () => undefined, info: () => undefined }

describe('the migrations', () => {
  for (const engine of ['sqlite', 'postgres'] as const) {
    const names = Object.keys(migrations(engine))

    it(`on ${engine}, each say their step and come in the order of their numbers`, () => {
      expect(names.filter((name) => parseMigrationName(name) === null)).toEqual([])
      const numbers = names.map((name) => Number(name.slice(0, 4)))
      expect(numbers).toEqual([...new Set(numbers)].sort((a, b) => a - b))
    })

    it(`on ${engine}, contract only what an earlier expand step of the same name replaced`, () => {
      const orphans = names.filter((name, i) => {
        const parsed = parseMigrationName(name)
        if (parsed?.step !== 'contract') return false
        return !names.slice(0, i).some((earlier) => {
          const before = parseMigrationName(earlier)
          return before?.step === 'expand' && before.what === parsed.what
        })
      })
      expect(orphans).toEqual([])
    })
  }

  it('read a name as its step and subject', () => {
    expect(parseMigrationName('0007_expand_phone_encrypted')).toEqual({
      step: 'expand',
      what: 'phone_encrypted',
    })
    expect(parseMigrationName('0012_contract_phone_encrypted')).toEqual({
      step: 'contract',
      what: 'phone_encrypted',
    })
    for (const name of [
      '0007_phone',
      '7_expand_x',
      '0007_expand_',
      '0007_shrink_x',
      '0007_expand_X',
    ]) {
      expect([name, parseMigrationName(name)]).toEqual([name, null])
    }
  })

  describe('judge a database against what a release knows', () => {
    const release = ['0001_users_sessions_avatars', '0002_expand_phone_encrypted']

    it('fits when it ran exactly those, or a newer release’s expand steps too', () => {
      expect(schemaMismatch(release, release)).toBeNull()
      expect(schemaMismatch(release, [...release, '0003_expand_devices'])).toBeNull()
    })

    it('fits after a newer release contracted what this one already moved away from', () => {
      expect(schemaMismatch(release, [...release, '0003_contract_phone_encrypted'])).toBeNull()
    })

    it('does not fit after a newer release contracted what this one still uses', () => {
      expect(schemaMismatch(release, [...release, '0003_contract_devices'])).toMatch(
        /a newer release ran 0003_contract_devices, which removes what this release still uses/,
      )
      expect(schemaMismatch(release, [...release, '0003_from_the_future'])).toMatch(
        /0003_from_the_future, which this release does not know and cannot judge/,
      )
    })

    it('does not fit before what this release needs has run', () => {
      expect(schemaMismatch(release, release.slice(0, 1))).toBe(
        'the database lacks migration 0002_expand_phone_encrypted',
      )
    })
  })
})

/** A step of the next release: what a rolling upgrade runs while this release still serves. */
const NEXT_EXPAND: Record<string, Migration> = {
  '9001_expand_next_release': {
    async up(db) {
      await db.schema.alterTable('users').addColumn('next_release_note', 'text').execute()
      await db.schema
        .createTable('next_release_devices')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .execute()
    },
  },
}

const NEXT_CONTRACT_OF_UNKNOWN: Record<string, Migration> = {
  '9002_contract_sessions_moved': {
    async up(db) {
      await sql`DELETE FROM sessions`.execute(db)
    },
  },
}

/** Migrates the database of `config` as a release with `next` beyond this one's would. */
async function migrateAsNextRelease(
  config: StoreConfig,
  next: Record<string, Migration>,
): Promise<void> {
  const engine = config.database
    ? openPostgres(config.database, () => undefined)
    : openSqlite(config.dataDir)
  try {
    await migrate(engine.db, { ...migrations(engine.name), ...next })
    // The next release writes what it added.
    await sql`UPDATE users SET next_release_note = 'from the next release'`.execute(engine.db)
  } finally {
    await engine.db.destroy()
  }
}

for (const engine of ENGINES) {
  describeWhenAvailable(`this release on ${engine.name}`, engine.missing, () => {
    let fresh: FreshStore

    beforeEach(async () => {
      fresh = await engine.fresh()
    })

    afterEach(async () => {
      await fresh.remove()
    })

    it('serves every route on a database the next release expanded, while it runs and after a restart', async () => {
      const running = await startTestServer({ config: fresh.config })
      const restarted = await (async () => {
        try {
          const before = await running.login('oAcrossReleases')
          await migrateAsNextRelease(fresh.config, NEXT_EXPAND)
          // Running on, then started again on the same database: the rollback of the next release.
          await flow(running, before)
          return await startTestServer({ config: fresh.config })
        } finally {
          await running.close()
        }
      })()
      try {
        const again = await restarted.login('oAcrossReleases')
        await flow(restarted, again)
        expect(restarted.logs.filter((line) => /"level":50/.test(line))).toEqual([])
      } finally {
        await restarted.close()
      }
    })

    it('undoes a step stopped half way, so the next start runs it whole', async () => {
      const half: Record<string, Migration> = {
        '9003_expand_two_columns': {
          async up(db) {
            await db.schema.alterTable('users').addColumn('first_half', 'text').execute()
            throw new Error('stopped half way')
          },
        },
      }
      await expect(migrateAsNextRelease(fresh.config, half)).rejects.toThrow('stopped half way')
      // Nothing of it stayed: the whole step runs again, its first column included.
      const whole: Record<string, Migration> = {
        '9003_expand_two_columns': {
          async up(db) {
            await db.schema.alterTable('users').addColumn('first_half', 'text').execute()
          },
        },
      }
      await expect(migrateAsNextRelease(fresh.config, { ...NEXT_EXPAND, ...whole })).resolves.toBe(
        undefined,
      )
    })

    it('stops being ready, and refuses to start, where the next release contracted what it uses', async () => {
      const running = await startTestServer({ config: fresh.config })
      try {
        expect((await running.call('GET', '/readyz')).status).toBe(200)
        await migrateAsNextRelease(fresh.config, { ...NEXT_EXPAND, ...NEXT_CONTRACT_OF_UNKNOWN })
        const reply = await running.call<ErrorAnswer>('GET', '/readyz')
        expect(reply.status).toBe(503)
        expect(reply.body.error).toEqual({
          code: 'NOT_READY',
          message: expect.stringMatching(/^the database schema: .*9002_contract_sessions_moved/),
        })
      } finally {
        await running.close()
      }
      await expect(openStore(fresh.config, quiet)).rejects.toThrow(
        'cannot bring the database schema up to date: a newer release ran ' +
          '9002_contract_sessions_moved, which removes what this release still uses: roll forward',
      )
    })
  })
}

/** Everything a user does, through the routes; every answer a success, as the contract says. */
async function flow(h: TestServer, user: { token: string; openid: string }): Promise<void> {
  const { token, openid } = user
  const { code } = await h.control.phone({ openid, phoneNumber: '13911112222' })
  const { encryptedData, iv } = await h.control.phone({ openid, phoneNumber: '13911112222' })
  const form = new FormData()
  form.append('avatar', new Blob([new Uint8Array(png())]), 'a.png')
  const replies = [
    await h.call('GET', '/api/me', { token }),
    await h.call('POST', '/api/auth/phone', { token, json: { code } }),
    await h.call('POST', '/api/auth/phone', { token, json: { encryptedData, iv } }),
    await h.call('PUT', '/api/me/profile', { token, json: { nickName: '小红' } }),
    await h.call('POST', '/api/me/avatar', { token, body: form }),
  ]
  expect(replies.map((reply) => [reply.status, reply.text])).toEqual(
    replies.map((reply) => [200, reply.text]),
  )
  const { user: saved } = (await h.call<{ user: User }>('GET', '/api/me', { token })).body
  expect(saved).toMatchObject({ nickName: '小红', phoneNumber: '13911112222' })
  expect((await fetch(saved.avatarUrl ?? '')).status).toBe(200)
  expect((await h.call('POST', '/api/auth/logout', { token })).status).toBe(204)
  expect((await h.call('GET', '/api/me', { token })).status).toBe(401)
}
