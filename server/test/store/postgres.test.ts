/** What only PostgreSQL has: several instances on one database at once. */
import { describeWhenAvailable } from '../../../test/support/needs'
import { openStore, type Store, type StoreLog } from '../../src/store'
import { newPhoneKeys } from '../support/engines'
import { freshDatabase, postgresMissing, type TestDatabase } from '../support/postgres'

const T = Date.UTC(2026, 0, 1)
const INSTANCES = 6

const quiet: StoreLog = { error: () => undefined, info: () => undefined }

describeWhenAvailable(
  'the store on one PostgreSQL database, from several instances',
  postgresMissing,
  () => {
    let database: TestDatabase
    let stores: Store[] = []

    beforeEach(async () => {
      database = await freshDatabase()
    })

    afterEach(async () => {
      await Promise.all(stores.map((store) => store.close()))
      stores = []
      await database.drop()
    })

    const openAll = async () => {
      const config = {
        dataDir: '',
        database: { url: database.url, poolMax: 5 },
        phoneKeys: newPhoneKeys(),
      }
      const opened = await Promise.allSettled(
        Array.from({ length: INSTANCES }, () => openStore(config, quiet)),
      )
      stores = opened.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []))
      return opened
    }

    it('migrates an empty database once when they all start at the same moment', async () => {
      const opened = await openAll()
      expect(opened.filter((result) => result.status === 'rejected')).toEqual([])
      const applied = await database.query<{ name: string }>('SELECT name FROM kysely_migration')
      expect(applied.map((row) => row.name)).toEqual([
        '0001_users_sessions_avatars',
        '0002_expand_phone_encrypted',
        '0003_expand_account_times',
      ])
      // Each instance serves what another wrote.
      const user = await stores[0].recordLogin(
        { openid: 'oShared', unionid: null, sessionKey: 'key' },
        { tokenHash: 'hash', expiresAt: T + 1000 },
        T,
      )
      for (const store of stores) expect((await store.findSessionUser('hash', T))?.id).toBe(user.id)
    })

    it('makes one user of concurrent first logins of one openid spread over them', async () => {
      await openAll()
      const logins = await Promise.all(
        Array.from({ length: 120 }, (_, i) =>
          stores[i % stores.length].recordLogin(
            { openid: 'oBurst', unionid: null, sessionKey: `key-${i}` },
            { tokenHash: `hash-${i}`, expiresAt: T + 1000 },
            T,
          ),
        ),
      )
      expect(new Set(logins.map((user) => user.id)).size).toBe(1)
      const users = await database.query<{ count: string }>(
        "SELECT count(*) FROM users WHERE openid = 'oBurst'",
      )
      expect(users[0].count).toBe('1')
      const sessions = await database.query<{ count: string }>('SELECT count(*) FROM sessions')
      expect(sessions[0].count).toBe('120')
    })
  },
)
